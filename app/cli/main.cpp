// SPDX-License-Identifier: MIT
// img2cadseq: the command-line face of the project (compile, inspect and convert CAD files).

#include "commands.h"
#include "dataset_inspect.h"
#include "dataset_maker.h"
#include "eval_command.h"
#include "generation_eval.h"
#include "reconstruct_commands.h"
#include "train_commands.h"

#include "cad/error.h"
#include "ml/compute_threads.h"
#include "ml/error.h"
#include "ml/memory_reuse.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

/// The part library's options, the same on `reconstruct` and `eval`.
template <typename Request> void addRetrievalOptions(CLI::App* command, Request& request) {
    command
        ->add_option("--retrieved", request.retrievedParts,
                     "Add the model's library parts nearest z_P to the samples (-1: automatic, 4; "
                     "nothing for a model without library/)")
        ->check(CLI::Range(-1, 64))
        ->capture_default_str();
    command
        ->add_option("--retrieved-step", request.retrievedStep,
                     "Re-noise each retrieved part to this diffusion step and denoise it under "
                     "the input's condition (0: add it as it is)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    command
        ->add_option("--samples-per-retrieved", request.samplesPerRetrieved,
                     "Edits sampled per retrieved part (with --retrieved-step)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
}

} // namespace

int main(int argc, char** argv) {
    using namespace img2cad::app;
    CLI::App cli{"Img2CADSeq Studio command-line tool: compile CAD programs into solids, inspect "
                 "and convert CAD, mesh and point-cloud files."};
    cli.set_version_flag("--version", std::string("img2cadseq ") + IMG2CAD_VERSION);
    cli.require_subcommand(1);

    CompileRequest compileRequest;
    CLI::App* compile = cli.add_subcommand(
        "compile", "Compile a program (our JSON, or DeepCAD / Fusion 360 JSON) into a solid");
    compile->add_option("program", compileRequest.input, "Program file (.json)")->required();
    compile->add_option("-o,--output", compileRequest.output, "Solid to write (.step, .stp, .brep)")
        ->required();
    compile->add_option("--stl", compileRequest.stl, "Also write the tessellation as binary STL");
    compile->add_option("--points", compileRequest.points,
                        "Also write sampled surface points (.ply with normals and labels, .xyz)");
    compile->add_option("--count", compileRequest.pointCount, "Number of points to sample")
        ->check(CLI::Range(std::size_t(1), std::size_t(10'000'000)));
    compile->add_option("--seed", compileRequest.seed, "Seed of the point sampler");

    std::string infoPath;
    bool infoJson = false;
    CLI::App* info = cli.add_subcommand(
        "info", "Describe a file: kind, validity, face/edge/vertex counts, volume, bounding box");
    info->add_option("file", infoPath, "Any supported file")->required();
    info->add_flag("--json", infoJson, "Print JSON instead of text");

    ConvertRequest convertRequest;
    CLI::App* convert = cli.add_subcommand(
        "convert", "Convert between formats, chosen by extension (programs and STEP to meshes, "
                   "point clouds, STEP; sequences to program JSON)");
    convert->add_option("input", convertRequest.input, "Input file")->required();
    convert->add_option("output", convertRequest.output, "Output file")->required();
    convert->add_option("--count", convertRequest.pointCount, "Points when writing a point cloud")
        ->check(CLI::Range(std::size_t(1), std::size_t(10'000'000)));
    convert->add_option("--seed", convertRequest.seed, "Seed of the point sampler");

    CLI::App* dataset = cli.add_subcommand("dataset", "Make, import and inspect training datasets");
    dataset->require_subcommand(1);
    MakeRequest makeRequest;
    CLI::App* make = dataset->add_subcommand(
        "make", "Generate parts, point clouds and photo-like renders into HDF5 shards (resumable: "
                "run the same command again after an interruption)");
    make->add_option("--count", makeRequest.settings.count, "Number of parts")->required();
    make->add_option("--out", makeRequest.folder, "Dataset folder (new, empty, or this dataset)")
        ->required();
    make->add_option("--views", makeRequest.settings.views, "Renders per part")
        ->check(CLI::Range(0, 64));
    make->add_option("--jobs", makeRequest.jobs, "Worker processes")->check(CLI::Range(1, 256));
    make->add_option("--seed", makeRequest.settings.seed, "Dataset seed");
    make->add_option("--image-size", makeRequest.settings.imageSize, "Image width and height (px)")
        ->check(CLI::Range(16, 2048));
    make->add_option("--points", makeRequest.settings.points, "Points per cloud")
        ->check(CLI::Range(1, 1 << 20));
    make->add_option("--shard-size", makeRequest.settings.shardSize, "Samples per shard")
        ->check(CLI::Range(1, 100000));

    std::string importFolder;
    MakeRequest importRequest;
    std::vector<CLI::App*> imports;
    for (const auto& [name, help] :
         {std::pair{"import-deepcad", "Build a dataset from DeepCAD / Fusion 360 JSON files"},
          std::pair{"import-step", "Build a dataset from STEP files"}}) {
        CLI::App* command = dataset->add_subcommand(name, help);
        command->add_option("folder", importFolder, "Folder searched recursively")->required();
        command->add_option("--out", importRequest.folder, "Dataset folder")->required();
        command->add_option("--views", importRequest.settings.views, "Renders per part");
        command->add_option("--jobs", importRequest.jobs, "Worker processes")
            ->check(CLI::Range(1, 256));
        command->add_option("--image-size", importRequest.settings.imageSize, "Image size (px)")
            ->check(CLI::Range(16, 2048));
        imports.push_back(command);
    }

    std::string statsFolder, compareFolder;
    int maxPrograms = 500;
    CLI::App* stats =
        dataset->add_subcommand("stats", "Family mix, lengths, face counts and primitive types");
    stats->add_option("folder", statsFolder, "Dataset folder")->required();
    stats->add_option("--compare", compareFolder,
                      "A folder of DeepCAD / Fusion JSON to compare with");
    stats->add_option("--max", maxPrograms, "Programs measured on each side")
        ->check(CLI::Range(1, 1000000));

    std::string showFolder, showOut = "sample";
    std::int64_t showIndex = 0;
    CLI::App* show =
        dataset->add_subcommand("show", "Write one sample's images, points and program");
    show->add_option("folder", showFolder, "Dataset folder")->required();
    show->add_option("index", showIndex, "Sample index")->required();
    show->add_option("--out", showOut, "Folder for the files");

    std::string workerFolder, workerShards;
    CLI::App* worker = dataset->add_subcommand("worker", "");
    worker->group(""); // internal: started by `make`
    worker->add_option("folder", workerFolder)->required();
    worker->add_option("--shards", workerShards)->required();

    CLI::App* train = cli.add_subcommand("train", "Train the models (resumable: run again)");
    train->require_subcommand(1);
    // One subcommand per stage, its options from the stage itself (the Trainer panel shows
    // the same ones).
    std::vector<std::pair<CLI::App*, std::unique_ptr<img2cad::ml::TrainingStage>>> stages;
    for (const std::string& name : img2cad::ml::trainingStageNames()) {
        auto stage = img2cad::ml::makeTrainingStage(name);
        stages.emplace_back(img2cad::app::addTrainingSubcommand(*train, *stage), std::move(stage));
    }

    const char* kModelHelp =
        "Model folder (default: $IMG2CAD_MODEL, else the shipped default model)";
    const char* kSamplesPerCandidateHelp =
        "Sample K x N sequences, compile them and keep the K nearest the input (0: 4 from a "
        "point cloud, 1 from a photo)";
    img2cad::app::ReconstructRequest reconstructRequest;
    CLI::App* reconstruct = cli.add_subcommand(
        "reconstruct", "CAD candidates for a photo, a point cloud, a mesh or a part file");
    reconstruct->add_option("input", reconstructRequest.input, "Photo (.jpg, .png, ...) or part")
        ->required();
    reconstruct->add_option("-m,--model", reconstructRequest.model, kModelHelp);
    reconstruct->add_option("-o,--out", reconstructRequest.output,
                            "Output folder (default: INPUT-NAME-candidates)");
    reconstruct->add_option("-k,--candidates", reconstructRequest.candidates)
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    reconstruct->add_option("--steps", reconstructRequest.steps, "Reverse diffusion steps")
        ->capture_default_str();
    reconstruct->add_option("--guidance", reconstructRequest.guidance, "Classifier-free guidance")
        ->capture_default_str();
    reconstruct->add_option("--truncation", reconstructRequest.truncation)->capture_default_str();
    reconstruct->add_option("--seed", reconstructRequest.seed)->capture_default_str();
    reconstruct
        ->add_option("--part-size", reconstructRequest.photoPartSize,
                     "Longest side (mm) of a photo's candidates")
        ->capture_default_str();
    reconstruct
        ->add_option("--fit", reconstructRequest.fitCompiles,
                     "Compiles each fitted candidate may spend fitting its numbers to the input "
                     "(0: none; a photo's candidates only with --fit-photos)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    reconstruct
        ->add_option("--fit-candidates", reconstructRequest.fitCandidates,
                     "How many of the best-ranked candidates are fitted (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    reconstruct->add_flag("--fit-photos", reconstructRequest.fitPhotos,
                          "Fit a photo's candidates too (to its lifted cloud, whose errors they "
                          "then take on)");
    reconstruct->add_flag(
        "!--no-turn", reconstructRequest.turnCandidates,
        "Do not turn candidates by the axis-aligned rotation that brings them nearest the input");
    reconstruct
        ->add_option("--samples-per-candidate", reconstructRequest.samplesPerCandidate,
                     kSamplesPerCandidateHelp)
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    addRetrievalOptions(reconstruct, reconstructRequest);
    reconstruct->add_option("--device", reconstructRequest.device, "cpu or cuda")
        ->capture_default_str();

    img2cad::app::GenerateRequest generateRequest;
    CLI::App* generate = cli.add_subcommand("generate", "Unconditional CAD samples");
    generate->add_option("-m,--model", generateRequest.model, kModelHelp);
    generate->add_option("-o,--out", generateRequest.output, "Output folder")->required();
    generate->add_option("-n,--count", generateRequest.count)
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    generate->add_option("--steps", generateRequest.steps)->capture_default_str();
    generate->add_option("--truncation", generateRequest.truncation)->capture_default_str();
    generate->add_option("--seed", generateRequest.seed)->capture_default_str();
    generate->add_option("--part-size", generateRequest.partSize, "Longest side (mm)")
        ->capture_default_str();
    generate->add_option("--device", generateRequest.device)->capture_default_str();

    img2cad::app::EvalRequest evalRequest;
    CLI::App* eval = cli.add_subcommand(
        "eval", "Appendix A measures on a dataset's held-out parts, beside a retrieval baseline");
    eval->add_option("--data", evalRequest.data, "Dataset folder")->required();
    eval->add_option("-m,--model", evalRequest.model, kModelHelp);
    eval->add_option("-o,--out", evalRequest.output, "Report JSON (optional)");
    eval->add_option("--split", evalRequest.split, "train, val, test or all (imported real parts)")
        ->capture_default_str();
    eval->add_option("-n,--count", evalRequest.count, "Parts (the first of the split)")
        ->capture_default_str();
    eval->add_option("-k,--candidates", evalRequest.candidates)
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    eval->add_option("--steps", evalRequest.steps)->capture_default_str();
    eval->add_option("--seed", evalRequest.seed)->capture_default_str();
    eval->add_option("--guidance", evalRequest.guidance, "Classifier-free guidance")
        ->capture_default_str();
    eval->add_option("--points", evalRequest.points, "Surface points per shape for CD")
        ->capture_default_str();
    eval->add_flag("!--no-retrieval", evalRequest.retrieval, "Skip the retrieval baseline");
    eval->add_flag("!--no-grammar", evalRequest.grammar,
                   "Unconstrained token draws (to measure the grammar constraint)");
    eval->add_option("--retrieval-data", evalRequest.retrievalData,
                     "Dataset whose training split the retrieval baseline searches (default: "
                     "--data; use the models' training set for imported real parts)");
    eval->add_flag("--photos", evalRequest.photos,
                   "Image-conditioned: each part's first render (a dataset made with --views)");
    eval->add_option("--device", evalRequest.device)->capture_default_str();
    eval->add_flag("--mixed-precision", evalRequest.mixedPrecision,
                   "Sample with the denoiser's passes in bfloat16");
    eval->add_flag("--full-length", evalRequest.fullLength,
                   "Every denoiser pass over all positions, also after a sequence's END (to "
                   "measure what the cut saves)");
    eval->add_option("--end-tail", evalRequest.endTail,
                     "Positions kept (masked) after a sequence's first END while passes are cut")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    eval->add_option("--fit", evalRequest.fitCompiles,
                     "Compiles each fitted candidate may spend fitting its numbers to the input "
                     "(P_raw; 0: none; from photos only with --fit-photos)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    eval->add_option("--fit-candidates", evalRequest.fitCandidates,
                     "How many of the best-ranked candidates are fitted (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    eval->add_flag("--fit-photos", evalRequest.fitPhotos, "Fit the candidates from photos too");
    eval->add_flag(
        "!--no-turn", evalRequest.turnCandidates,
        "Do not turn candidates by the axis-aligned rotation that brings them nearest the input");
    eval->add_option("--samples-per-candidate", evalRequest.samplesPerCandidate,
                     kSamplesPerCandidateHelp)
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    addRetrievalOptions(eval, evalRequest);

    img2cad::app::GenerationEvalRequest generationEval;
    CLI::App* evalGeneration = cli.add_subcommand(
        "eval-generation", "Appendix A.3 measures of unconditional samples (MMD, COV, JSD, IR, "
                           "novelty, uniqueness) against a dataset's test split");
    evalGeneration->add_option("--data", generationEval.data, "Dataset folder")->required();
    evalGeneration->add_option("-m,--model", generationEval.model, kModelHelp);
    evalGeneration->add_option("-o,--out", generationEval.output, "Report JSON (optional)");
    evalGeneration->add_option("--split", generationEval.split, "References: test or val")
        ->capture_default_str();
    evalGeneration->add_option("-n,--samples", generationEval.samples, "Valid samples to measure")
        ->capture_default_str();
    evalGeneration->add_option("--draws", generationEval.draws, "Reference draws, averaged")
        ->capture_default_str();
    evalGeneration->add_option("--draw-size", generationEval.drawSize, "Test parts per draw")
        ->capture_default_str();
    evalGeneration->add_option("--steps", generationEval.steps)->capture_default_str();
    evalGeneration
        ->add_option("--end-tail", generationEval.endTail,
                     "Positions kept (masked) after a sequence's first END while passes are cut")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    evalGeneration->add_option("--seed", generationEval.seed)->capture_default_str();
    evalGeneration->add_option("--points", generationEval.points, "Surface points per shape")
        ->capture_default_str();
    evalGeneration->add_option("--device", generationEval.device)->capture_default_str();

    CLI11_PARSE(cli, argc, argv);
    img2cad::ml::useMachineThreads();
    img2cad::ml::keepFreedMemoryForReuse();
    try {
        if (compile->parsed()) return runCompile(compileRequest);
        if (info->parsed()) return runInfo(infoPath, infoJson);
        if (convert->parsed()) return runConvert(convertRequest);
        if (reconstruct->parsed()) return img2cad::app::runReconstruct(reconstructRequest);
        if (generate->parsed()) return img2cad::app::runGenerate(generateRequest);
        if (eval->parsed()) return img2cad::app::runEval(evalRequest);
        if (evalGeneration->parsed()) return img2cad::app::runGenerationEval(generationEval);
        if (make->parsed()) return runDatasetMake(makeRequest);
        for (std::size_t i = 0; i < imports.size(); ++i) {
            if (!imports[i]->parsed()) continue;
            const int views = importRequest.settings.views, size = importRequest.settings.imageSize;
            importRequest.settings = importSettings(i == 0 ? img2cad::ml::DatasetKind::DeepCad
                                                           : img2cad::ml::DatasetKind::Step,
                                                    importFolder);
            importRequest.settings.views = views;
            importRequest.settings.imageSize = size;
            return runDatasetMake(importRequest);
        }
        if (stats->parsed()) return runDatasetStats(statsFolder, compareFolder, maxPrograms);
        if (show->parsed()) return runDatasetShow(showFolder, showIndex, showOut);
        for (auto& [command, stage] : stages)
            if (command->parsed()) return img2cad::app::runTrainingStage(*stage);
        if (worker->parsed()) {
            std::vector<std::int64_t> shards;
            for (const std::string& item : CLI::detail::split(workerShards, ','))
                shards.push_back(std::stoll(item));
            return runDatasetWorker(workerFolder, shards);
        }
    } catch (const img2cad::ml::Error& error) {
        std::cerr << "img2cadseq: error: " << error.what() << "\n";
        return 1;
    } catch (const img2cad::cad::Error& error) {
        std::cerr << "img2cadseq: error: " << error.what() << "\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "img2cadseq: internal error: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
