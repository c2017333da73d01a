// SPDX-License-Identifier: MIT
#pragma once
// A Qt6 QOpenGLWidget hosting a vtkGenericOpenGLRenderWindow: Debian's VTK Qt module is built
// against Qt5, so this is our own bridge (the mechanism is described in ../shared/STYLE.md
// section 3). Qt owns the OpenGL context; VTK renders, inside paintGL, into its own framebuffer
// and blits the result into the widget's framebuffer object (BlitToCurrent). Mouse and wheel events
// go to a trackball-camera interactor: left drag rotates, middle (or shift+left) pans, wheel and
// right drag zoom. Several widgets can live side by side.

#include <QOpenGLWidget>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include <functional>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;
class vtkObject;

namespace img2cad::viewer {

class VtkWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkWidget(QWidget* parent = nullptr);
    ~VtkWidget() override;

    /// The default surface format VTK needs (OpenGL 3.2 core, depth, no multisampling); call
    /// before the QApplication is constructed.
    static void setDefaultSurfaceFormat();

    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;

    /// Schedules a render and repaint (call after changing the scene).
    void requestRender();
    /// Frames everything visible.
    void fitView();
    /// Looks at the scene from the front-right and above (Z up), framing everything.
    void setIsometricView();
    /// Takes `other`'s camera (position, focus, up, zoom) and renders: linked views.
    void copyCameraFrom(const VtkWidget& other);

Q_SIGNALS:
    /// The camera moved through user interaction (for linking views).
    void cameraChanged();

protected:
    void initializeGL() override;
    void paintGL() override;
    bool event(QEvent* event) override;

private:
    static void onVtkEvent(vtkObject* caller, unsigned long id, void* clientData, void* callData);
    void updateSize();
    void cleanup();
    bool forwardToInteractor(QEvent* event);

    vtkNew<vtkGenericOpenGLRenderWindow> m_window;
    vtkNew<vtkGenericRenderWindowInteractor> m_interactor;
    vtkNew<vtkRenderer> m_renderer;
    bool m_initialised = false;
    bool m_inPaint = false;
    double m_wheelAccumulator = 0.0;
};

} // namespace img2cad::viewer
