// SPDX-License-Identifier: MIT
#pragma once
// The command-line tool's commands. Each returns the process exit code; errors are thrown as
// cad::Error and turned into one line by main().

#include <cstdint>
#include <optional>
#include <string>

namespace img2cad::app {

struct CompileRequest {
    std::string input;  ///< program JSON or DeepCAD / Fusion 360 JSON
    std::string output; ///< .step/.stp/.brep
    std::string stl;
    std::string points; ///< .ply or .xyz
    std::size_t pointCount = 4096;
    std::uint64_t seed = 0;
};
int runCompile(const CompileRequest& request);

int runInfo(const std::string& path, bool asJson);

struct ConvertRequest {
    std::string input;
    std::string output;
    std::size_t pointCount = 4096; ///< when the output is a point cloud
    std::uint64_t seed = 0;
};
int runConvert(const ConvertRequest& request);

} // namespace img2cad::app
