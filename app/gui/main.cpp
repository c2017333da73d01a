// SPDX-License-Identifier: MIT
// img2cadseq-studio: the desktop application. Opens the files named on the command line.

#include "ml/compute_threads.h"
#include "ui/main_window.h"
#include "viewer/vtk_widget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdlib>
#include <memory>

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
    if (!files.isEmpty()) window.openFile(files.front());
    return app.exec();
}
