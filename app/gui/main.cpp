// SPDX-License-Identifier: MIT
// img2cadseq-studio: the desktop application. Opens the files named on the command line.

#include "ml/compute_threads.h"
#include "ui/main_window.h"
#include "viewer/vtk_widget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

/// "VmRSS" or "VmHWM" (peak) of this process from /proc, in MiB; -1 where unreadable.
double memoryMiB(const char* field) {
    QFile status("/proc/self/status");
    if (!status.open(QIODevice::ReadOnly)) return -1.0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(field)) return line.simplified().split(' ').value(1).toDouble() / 1024;
    return -1.0;
}

/// One line for tests/bench/bench_app.sh: a name and the wall clock in ms since the epoch.
void report(const char* event, const QString& extra = {}) {
    std::printf("measure %s %lld %s\n", event,
                static_cast<long long>(QDateTime::currentMSecsSinceEpoch()), qPrintable(extra));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    // Debian's VTK 9.1 loads OpenGL through GLEW, which needs GLX: on Wayland run through
    // XWayland (../shared/DESIGN.md, pitfalls).
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "xcb");
    img2cad::viewer::VtkWidget::setDefaultSurfaceFormat();
    img2cad::ml::useMachineThreads();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Img2CADSeq");
    QApplication::setApplicationName("Img2CADSeq Studio");
    QApplication::setApplicationVersion(IMG2CAD_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Photo to editable CAD: drop a photo of a part and compare CAD candidates; open, view "
        "and export parts. The model folder is set in Reconstruct > Settings (or $IMG2CAD_MODEL).");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("files", "Parts to open (the first is shown)", "[files...]");
    const QCommandLineOption screenshot(
        "screenshot",
        "Save a picture of the window once the file is shown (a photo: reconstructed), then quit.",
        "png");
    parser.addOption(screenshot);
    const QCommandLineOption reconstruct(
        "reconstruct",
        "Reconstruct the opened part once the model is loaded (photos are reconstructed anyway).");
    parser.addOption(reconstruct);
    const QCommandLineOption measure(
        "measure",
        "Print when the window is usable (shown, model loaded) and, with --reconstruct, the "
        "memory after the reconstruction, then quit (tests/bench/bench_app.sh).");
    parser.addOption(measure);
    parser.process(app);

    using img2cad::ui::MainWindow;
    MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    const bool reconstructPart = parser.isSet(reconstruct) && !files.isEmpty();
    if (reconstructPart) {
        // The part may open before or after the model loads: start when both are there.
        auto shown = std::make_shared<bool>(false);
        const auto start = [&window, shown] {
            if (*shown && window.modelReady() && !window.isReconstructing()) {
                *shown = false;
                window.reconstruct();
            }
        };
        QObject::connect(&window, &MainWindow::partShown, &window, [shown, start] {
            *shown = true;
            start();
        });
        QObject::connect(&window, &MainWindow::modelLoaded, &window, start);
    }
    if (parser.isSet(screenshot)) {
        // For the README and docs: scripts/screenshot.sh runs this under Xvfb.
        const QString path = parser.value(screenshot);
        const auto capture = [&window, path] {
            QTimer::singleShot(500, &window, [&window, path] {
                const bool saved = window.grab().save(path);
                QCoreApplication::exit(saved ? 0 : 1);
            });
        };
        QObject::connect(&window, &MainWindow::partShown, &window,
                         [&window, capture, reconstructPart] {
                             if (!window.isReconstructing() && !reconstructPart) capture();
                         });
        QObject::connect(&window, &MainWindow::reconstructed, &window, capture);
        QObject::connect(&window, &MainWindow::errorShown, &window, capture);
        if (files.isEmpty()) capture();
        QTimer::singleShot(10 * 60 * 1000, &window, capture); // never hang a script
    }
    if (parser.isSet(measure)) {
        // Usable = painted once and the model settled (loaded, or disabled with its reason).
        auto painted = std::make_shared<bool>(false), reported = std::make_shared<bool>(false);
        const auto settle = [painted, reported, &window, reconstructPart] {
            if (!*painted || *reported || window.modelStatus().startsWith("Loading")) return;
            *reported = true;
            report("usable", window.modelReady() ? "model" : "no-model");
            if (!reconstructPart) QCoreApplication::exit(0);
        };
        QTimer::singleShot(0, &window, [painted, settle] { // after the first show was processed
            *painted = true;
            settle();
        });
        QObject::connect(&window, &MainWindow::modelLoaded, &window, settle);
        QObject::connect(&window, &MainWindow::modelUnavailable, &window, settle);
        QObject::connect(&window, &MainWindow::reconstructed, &window, [](int candidates) {
            report("reconstructed", QString("candidates=%1 rss_mib=%2 peak_mib=%3")
                                        .arg(candidates)
                                        .arg(memoryMiB("VmRSS:"), 0, 'f', 0)
                                        .arg(memoryMiB("VmHWM:"), 0, 'f', 0));
            QCoreApplication::exit(0);
        });
        QObject::connect(&window, &MainWindow::errorShown, &window, [](const QString& message) {
            report("error", message);
            QCoreApplication::exit(1);
        });
    }
    if (!files.isEmpty()) window.openFile(files.front());
    return app.exec();
}
