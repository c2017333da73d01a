// SPDX-License-Identifier: MIT
#pragma once
// Runs the built img2cadseq tool the way a user does, capturing its exit code and output.

#include <QProcess>
#include <QStringList>

#include <filesystem>

namespace img2cad::test {

struct CliResult {
    int exitCode = -1;
    bool crashed = false;
    QString out;
    QString err;
};

/// A path as a command-line argument.
inline QString q(const std::filesystem::path& path) {
    return QString::fromStdString(path.string());
}

/// Runs the tool with `arguments`, in `workingDirectory` when one is given.
inline CliResult runCli(const QStringList& arguments, int timeoutMs = 120000,
                        const std::filesystem::path& workingDirectory = {}) {
    QProcess process;
    if (!workingDirectory.empty()) process.setWorkingDirectory(q(workingDirectory));
    process.start(QStringLiteral(IMG2CAD_CLI_PATH), arguments);
    CliResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.crashed = true;
    }
    result.crashed = result.crashed || process.exitStatus() != QProcess::NormalExit;
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace img2cad::test
