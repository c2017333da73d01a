// SPDX-License-Identifier: MIT
// img2cadseq: the command-line face of the project (compile, inspect and convert CAD files).

#include "commands.h"

#include "cad/error.h"

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

    CLI11_PARSE(cli, argc, argv);
    try {
        if (compile->parsed()) return runCompile(compileRequest);
        if (info->parsed()) return runInfo(infoPath, infoJson);
        if (convert->parsed()) return runConvert(convertRequest);
    } catch (const img2cad::cad::Error& error) {
        std::cerr << "img2cadseq: error: " << error.what() << "\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "img2cadseq: internal error: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
