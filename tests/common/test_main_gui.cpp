// SPDX-License-Identifier: MIT
// main() of the test suites that open windows: a QApplication with VTK's surface format, the
// X11 platform (GLEW needs GLX; run under xvfb-run) and settings kept away from the user's.

#include "test_registry.h"

#include "viewer/vtk_widget.h"

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "xcb");
    QStandardPaths::setTestModeEnabled(true);
    img2cad::viewer::VtkWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Img2CADSeqTests");
    QApplication::setApplicationName("Img2CADSeq Studio tests");
    return img2cad::test::runRegisteredTests(argc, argv);
}
