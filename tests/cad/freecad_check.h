// SPDX-License-Identifier: MIT
#pragma once
// Runs tests/tools/freecad_check_step.py in Debian's freecadcmd: an independent STEP reader
// (FreeCAD's own import) that says whether our files are valid solids and what their volume is.

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <map>
#include <string>

namespace img2cad::test {

struct FreecadVerdict {
    QString status; ///< "valid", "INVALID" or "ERROR"
    int solids = 0;
    double volume = 0.0; ///< mm^3
};

struct FreecadRun {
    bool ran = false; ///< freecadcmd exists, finished and exited with 0
    QString output;   ///< everything it printed, for failure messages
    std::map<std::string, FreecadVerdict> verdicts; ///< by path
};

inline const char* kFreecadCmd = "/usr/bin/freecadcmd";

inline FreecadRun runFreecadCheck(const QStringList& stepPaths) {
    FreecadRun run;
    if (!QFile::exists(kFreecadCmd)) {
        run.output = "freecadcmd is missing: install freecad-python3 (scripts/setup.sh does)";
        return run;
    }
    // freecadcmd opens extra arguments as documents, so the file list goes in the environment.
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("IMG2CAD_STEP_FILES", stepPaths.join('\n'));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(kFreecadCmd,
                  {QStringLiteral(IMG2CAD_SOURCE_DIR "/tests/tools/freecad_check_step.py")});
    const bool finished = process.waitForFinished(300000);
    run.output = QString::fromUtf8(process.readAll());
    run.ran = finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;

    const QRegularExpression line(R"(^STEP_CHECK (\S+) solids=(\d+) volume=(\S+) path=(.+)$)",
                                  QRegularExpression::MultilineOption);
    for (auto match = line.globalMatch(run.output); match.hasNext();) {
        const QRegularExpressionMatch m = match.next();
        run.verdicts[m.captured(4).trimmed().toStdString()] = {m.captured(1), m.captured(2).toInt(),
                                                               m.captured(3).toDouble()};
    }
    return run;
}

} // namespace img2cad::test
