// SPDX-License-Identifier: MIT
// img2cadseq: the command-line face of the project (compile, inspect and convert CAD files).

#include "commands.h"
#include "dataset_inspect.h"
#include "dataset_maker.h"
#include "eval_command.h"
#include "reconstruct_commands.h"
#include "train_commands.h"

#include "cad/error.h"
#include "ml/compute_threads.h"
#include "ml/error.h"

#include <CLI/CLI.hpp>

#include <iostream>

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
    img2cad::ml::CodebookTrainingSettings codebookSettings;
    std::string variant = "hierarchical";
    CLI::App* codebook = train->add_subcommand(
        "codebook", "Train the hierarchical CAD codebook (or an ablation variant)");
    codebook->add_option("--data", codebookSettings.data, "Dataset folder")->required();
    codebook->add_option("--out", codebookSettings.out, "Model folder (new, or this run's)")
        ->required();
    codebook
        ->add_option("--variant", variant, "hierarchical, flat (Model 1), disentangled (Model 2)")
        ->capture_default_str();
    codebook->add_option("--steps", codebookSettings.steps)->capture_default_str();
    codebook->add_option("--batch", codebookSettings.batchSize, "Programs per step")
        ->capture_default_str();
    codebook->add_option("--lr", codebookSettings.learningRate)->capture_default_str();
    codebook->add_option("--warmup", codebookSettings.warmupSteps)->capture_default_str();
    codebook->add_option("--width", codebookSettings.model.width)->capture_default_str();
    codebook->add_option("--heads", codebookSettings.model.heads)->capture_default_str();
    codebook->add_option("--layers", codebookSettings.model.layers)->capture_default_str();
    codebook->add_option("--codes", codebookSettings.model.codes, "Codes per codebook")
        ->capture_default_str();
    codebook->add_option("--depth", codebookSettings.model.depth, "Residual codes per row")
        ->capture_default_str();
    codebook
        ->add_option("--length-bins", codebookSettings.model.lengthBins,
                     "CC chord lengths also classified into this many bins; 0 = regression alone")
        ->capture_default_str();
    codebook->add_option("--length-bin-weight", codebookSettings.model.lengthBinWeight)
        ->capture_default_str();
    codebook
        ->add_option("--code-dim", codebookSettings.model.codeDim,
                     "Code vector dimension; 0 = the model width")
        ->capture_default_str();
    codebook->add_option("--dropout", codebookSettings.model.dropout)->capture_default_str();
    codebook
        ->add_option("--length-log-offset", codebookSettings.model.lengthLogOffset,
                     "CC chord lengths modelled as log(l + offset); 0 = as they are")
        ->capture_default_str();
    codebook->add_option("--checkpoint-minutes", codebookSettings.checkpointMinutes)
        ->capture_default_str();
    codebook->add_option("--seed", codebookSettings.seed)->capture_default_str();
    codebook->add_option("--device", codebookSettings.device, "cpu or cuda")->capture_default_str();

    img2cad::ml::LiftTrainingSettings liftSettings;
    CLI::App* lift = train->add_subcommand(
        "lift", "Train the image-to-point-cloud lifting network (or its LoRA adapters)");
    lift->add_option("--data", liftSettings.data, "Dataset folder with rendered views")->required();
    lift->add_option("--out", liftSettings.out, "Model folder (new, or this run's)")->required();
    lift->add_flag("--lora", liftSettings.lora, "Train only the Q/V adapters of --base");
    lift->add_option("--base", liftSettings.base, "Base lifting model folder (with --lora)");
    lift->add_option("--steps", liftSettings.steps)->capture_default_str();
    lift->add_option("--batch", liftSettings.batchSize, "Views per step")->capture_default_str();
    lift->add_option("--lr", liftSettings.learningRate)->capture_default_str();
    lift->add_option("--warmup", liftSettings.warmupSteps)->capture_default_str();
    lift->add_option("--image-size", liftSettings.model.vit.imageSize)->capture_default_str();
    lift->add_option("--patch-size", liftSettings.model.vit.patchSize)->capture_default_str();
    lift->add_option("--width", liftSettings.model.vit.width)->capture_default_str();
    lift->add_option("--heads", liftSettings.model.vit.heads)->capture_default_str();
    lift->add_option("--layers", liftSettings.model.vit.layers)->capture_default_str();
    lift->add_option("--lora-rank", liftSettings.model.vit.lora.rank)->capture_default_str();
    lift->add_option("--queries", liftSettings.model.queries)->capture_default_str();
    lift->add_option("--points-per-query", liftSettings.model.pointsPerQuery)
        ->capture_default_str();
    lift->add_option("--checkpoint-minutes", liftSettings.checkpointMinutes)->capture_default_str();
    lift->add_option("--seed", liftSettings.seed)->capture_default_str();
    lift->add_option("--device", liftSettings.device, "cpu or cuda")->capture_default_str();

    img2cad::ml::AlignTrainingSettings alignSettings;
    CLI::App* align = train->add_subcommand(
        "align", "Train the contrastive aligner of point clouds and CAD token sequences");
    align->add_option("--data", alignSettings.data, "Dataset folder (programs and points)")
        ->required();
    align->add_option("--codebook", alignSettings.codebook, "Trained codebook folder")->required();
    align->add_option("--out", alignSettings.out, "Model folder (new, or this run's)")->required();
    align->add_option("--steps", alignSettings.steps)->capture_default_str();
    align->add_option("--batch", alignSettings.batchSize, "Pairs per step")->capture_default_str();
    align->add_option("--points", alignSettings.points, "Bootstrap points per cloud and step")
        ->capture_default_str();
    align->add_option("--lr", alignSettings.learningRate)->capture_default_str();
    align->add_option("--warmup", alignSettings.warmupSteps)->capture_default_str();
    align->add_option("--embedding", alignSettings.model.embedding)->capture_default_str();
    align->add_option("--width", alignSettings.model.width)->capture_default_str();
    align->add_option("--heads", alignSettings.model.heads)->capture_default_str();
    align->add_option("--layers", alignSettings.model.layers)->capture_default_str();
    align->add_option("--max-tokens", alignSettings.model.maxTokens)->capture_default_str();
    align->add_option("--checkpoint-minutes", alignSettings.checkpointMinutes)
        ->capture_default_str();
    align->add_option("--seed", alignSettings.seed)->capture_default_str();
    align->add_option("--device", alignSettings.device, "cpu or cuda")->capture_default_str();

    img2cad::ml::RefineTrainingSettings refineSettings;
    CLI::App* refine = train->add_subcommand(
        "refine", "Train the UA-DGCNN that scores the coarse cloud's points by edge importance");
    refine->add_option("--data", refineSettings.data, "Dataset folder (programs and points)")
        ->required();
    refine->add_option("--out", refineSettings.out, "Model folder (new, or this run's)")
        ->required();
    refine->add_option("--steps", refineSettings.steps)->capture_default_str();
    refine->add_option("--batch", refineSettings.batchSize, "Clouds per step")
        ->capture_default_str();
    refine->add_option("--points", refineSettings.points, "Points per cloud and step")
        ->capture_default_str();
    refine->add_option("--lr", refineSettings.learningRate)->capture_default_str();
    refine->add_option("--warmup", refineSettings.warmupSteps)->capture_default_str();
    refine->add_option("--neighbours", refineSettings.model.neighbours)->capture_default_str();
    refine->add_option("--width", refineSettings.model.featureWidth)->capture_default_str();
    refine->add_option("--global-width", refineSettings.model.globalWidth)->capture_default_str();
    refine->add_option("--jitter", refineSettings.jitter, "Training noise (unit-cube frame)")
        ->capture_default_str();
    refine->add_option("--sigma", refineSettings.sigma, "Edge-saliency width (unit-cube frame)")
        ->capture_default_str();
    refine->add_option("--max-parts", refineSettings.maxParts, "Training parts to label; 0 = all")
        ->capture_default_str();
    refine->add_option("--checkpoint-minutes", refineSettings.checkpointMinutes)
        ->capture_default_str();
    refine->add_option("--seed", refineSettings.seed)->capture_default_str();
    refine->add_option("--device", refineSettings.device, "cpu or cuda")->capture_default_str();

    img2cad::ml::DiffusionTrainingSettings diffusionSettings;
    CLI::App* diffusion = train->add_subcommand(
        "diffusion", "Train the conditional VQ-Diffusion model over CAD tokens");
    diffusion->add_option("--data", diffusionSettings.data, "Dataset folder (programs and points)")
        ->required();
    diffusion->add_option("--codebook", diffusionSettings.codebook, "Trained codebook folder")
        ->required();
    diffusion->add_option("--align", diffusionSettings.align, "Trained aligner folder")->required();
    diffusion->add_option("--out", diffusionSettings.out, "Model folder (new, or this run's)")
        ->required();
    diffusion->add_option("--steps", diffusionSettings.steps)->capture_default_str();
    diffusion->add_option("--batch", diffusionSettings.batchSize)->capture_default_str();
    diffusion->add_option("--lr", diffusionSettings.learningRate)->capture_default_str();
    diffusion->add_option("--warmup", diffusionSettings.warmupSteps)->capture_default_str();
    diffusion->add_option("--width", diffusionSettings.model.width)->capture_default_str();
    diffusion->add_option("--heads", diffusionSettings.model.heads)->capture_default_str();
    diffusion->add_option("--layers", diffusionSettings.model.layers)->capture_default_str();
    diffusion->add_option("--max-tokens", diffusionSettings.model.maxTokens)->capture_default_str();
    diffusion->add_option("--diffusion-steps", diffusionSettings.model.diffusionSteps)
        ->capture_default_str();
    diffusion->add_option("--condition-dropout", diffusionSettings.model.conditionDropout)
        ->capture_default_str();
    diffusion->add_option("--checkpoint-minutes", diffusionSettings.checkpointMinutes)
        ->capture_default_str();
    diffusion->add_option("--seed", diffusionSettings.seed)->capture_default_str();
    diffusion->add_option("--device", diffusionSettings.device, "cpu or cuda")
        ->capture_default_str();

    img2cad::app::ReconstructRequest reconstructRequest;
    CLI::App* reconstruct = cli.add_subcommand(
        "reconstruct", "CAD candidates for a photo, a point cloud, a mesh or a part file");
    reconstruct->add_option("input", reconstructRequest.input, "Photo (.jpg, .png, ...) or part")
        ->required();
    reconstruct->add_option("-m,--model", reconstructRequest.model, "Model folder")->required();
    reconstruct->add_option("-o,--out", reconstructRequest.output, "Output folder")->required();
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
    reconstruct->add_option("--device", reconstructRequest.device, "cpu or cuda")
        ->capture_default_str();

    img2cad::app::GenerateRequest generateRequest;
    CLI::App* generate = cli.add_subcommand("generate", "Unconditional CAD samples");
    generate->add_option("-m,--model", generateRequest.model, "Model folder")->required();
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
    eval->add_option("-m,--model", evalRequest.model, "Model folder")->required();
    eval->add_option("-o,--out", evalRequest.output, "Report JSON (optional)");
    eval->add_option("--split", evalRequest.split, "train, val or test")->capture_default_str();
    eval->add_option("-n,--count", evalRequest.count, "Parts (the first of the split)")
        ->capture_default_str();
    eval->add_option("-k,--candidates", evalRequest.candidates)
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    eval->add_option("--steps", evalRequest.steps)->capture_default_str();
    eval->add_option("--seed", evalRequest.seed)->capture_default_str();
    eval->add_option("--points", evalRequest.points, "Surface points per shape for CD")
        ->capture_default_str();
    eval->add_flag("!--no-retrieval", evalRequest.retrieval, "Skip the retrieval baseline");
    eval->add_flag("!--no-grammar", evalRequest.grammar,
                   "Unconstrained token draws (to measure the grammar constraint)");
    eval->add_option("--device", evalRequest.device)->capture_default_str();

    CLI11_PARSE(cli, argc, argv);
    img2cad::ml::useMachineThreads();
    try {
        if (compile->parsed()) return runCompile(compileRequest);
        if (info->parsed()) return runInfo(infoPath, infoJson);
        if (convert->parsed()) return runConvert(convertRequest);
        if (reconstruct->parsed()) return img2cad::app::runReconstruct(reconstructRequest);
        if (generate->parsed()) return img2cad::app::runGenerate(generateRequest);
        if (eval->parsed()) return img2cad::app::runEval(evalRequest);
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
        if (codebook->parsed()) {
            codebookSettings.model.variant = img2cad::ml::parseVariant(variant);
            return runTrainCodebook(codebookSettings);
        }
        if (lift->parsed()) return runTrainLift(liftSettings);
        if (align->parsed()) return runTrainAlign(alignSettings);
        if (refine->parsed()) return runTrainRefine(refineSettings);
        if (diffusion->parsed()) return runTrainDiffusion(diffusionSettings);
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
