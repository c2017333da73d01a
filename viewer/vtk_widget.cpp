// SPDX-License-Identifier: MIT
// VTK's GLEW must come before any other OpenGL header, Qt's included (it refuses otherwise).
#include <vtk_glew.h>

#include "viewer/vtk_widget.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkLightKit.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace img2cad::viewer {

void VtkWidget::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(0);
    format.setSamples(0); // VTK multisamples in its own framebuffers
    QSurfaceFormat::setDefaultFormat(format);
}

VtkWidget::VtkWidget(QWidget* parent) : QOpenGLWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
    setMinimumSize(64, 64);

    // VTK renders only inside paintGL, where Qt's context is current and its framebuffer bound.
    m_window->SetReadyForRendering(false);
    m_window->SetFrameBlitModeToBlitToCurrent();
    m_window->SetMultiSamples(0); // llvmpipe: resolving multisampled buffers costs a lot
    m_window->AddRenderer(m_renderer);
    m_renderer->SetBackground(0.93, 0.94, 0.96);
    m_renderer->SetBackground2(0.75, 0.78, 0.84);
    m_renderer->GradientBackgroundOn();
    // Key, fill, back and head lights: parts read as solids from every side, not only the lit one.
    vtkNew<vtkLightKit> lights;
    lights->AddLightsToRenderer(m_renderer);
    m_interactor->SetRenderWindow(m_window);
    m_interactor->EnableRenderOff(); // renders come from paintGL or requestRender
    m_interactor->Enable();
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    m_interactor->SetInteractorStyle(style);

    vtkNew<vtkCallbackCommand> callback;
    callback->SetCallback(&VtkWidget::onVtkEvent);
    callback->SetClientData(this);
    for (unsigned long id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                             vtkCommand::WindowFrameEvent})
        m_window->AddObserver(id, callback);
    m_interactor->AddObserver(vtkCommand::RenderEvent, callback);
    style->AddObserver(vtkCommand::InteractionEvent, callback);

    connect(this, &QOpenGLWidget::resized, this, &VtkWidget::updateSize);
}

VtkWidget::~VtkWidget() {
    makeCurrent();
    cleanup();
    m_window->RemoveAllObservers();
    m_interactor->RemoveAllObservers();
}

vtkRenderer* VtkWidget::renderer() const {
    return m_renderer;
}

vtkGenericOpenGLRenderWindow* VtkWidget::renderWindow() const {
    return m_window;
}

void VtkWidget::onVtkEvent(vtkObject*, unsigned long id, void* clientData, void* callData) {
    auto* self = static_cast<VtkWidget*>(clientData);
    switch (id) {
    case vtkCommand::WindowMakeCurrentEvent:
        // Not QOpenGLWidget::makeCurrent(): that also binds Qt's framebuffer, behind VTK's back,
        // in the middle of VTK's render into its own. Only make the context current.
        if (QOpenGLContext* context = self->context();
            context && QOpenGLContext::currentContext() != context)
            context->makeCurrent(context->surface());
        break;
    case vtkCommand::WindowIsCurrentEvent:
        *static_cast<bool*>(callData) =
            self->context() && QOpenGLContext::currentContext() == self->context();
        break;
    case vtkCommand::WindowFrameEvent:
        if (!self->m_inPaint) self->update();
        break;
    case vtkCommand::RenderEvent: // the interactor asks for a render (EnableRender is off)
        self->requestRender();
        break;
    case vtkCommand::InteractionEvent:
        Q_EMIT self->cameraChanged();
        break;
    default:
        break;
    }
}

void VtkWidget::initializeGL() {
    // Qt may recreate the context (another screen, another top-level): start from scratch.
    if (m_initialised) cleanup();
    m_window->SetOwnContext(0); // Qt owns it; VTK must never create or destroy it
    m_window->SetMapped(1);
    m_window->SetIsDirect(1);
    m_window->SetSupportsOpenGL(1);
    m_window->SetForceMaximumHardwareLineWidth(1);
    m_window->SetUseOffScreenBuffers(false);
    m_window->OpenGLInitContext();
    m_window->GetState()->Reset();
    m_window->GetState()->vtkglDepthFunc(GL_LEQUAL); // Qt leaves GL_LESS
    m_window->SetReadyForRendering(true);
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkWidget::cleanup,
            Qt::DirectConnection);
    m_initialised = true;
    updateSize();
}

void VtkWidget::cleanup() {
    if (!m_initialised) return;
    m_window->Finalize(); // frees VTK's GL resources while the context is still current
    m_window->SetReadyForRendering(false);
    m_initialised = false;
}

void VtkWidget::updateSize() {
    const qreal ratio = devicePixelRatioF();
    const int w = qMax(1, qRound(width() * ratio)), h = qMax(1, qRound(height() * ratio));
    m_interactor->UpdateSize(w, h);
    m_window->SetSize(w, h);
    m_window->SetScreenSize(w, h);
    m_window->SetDPI(qRound(72 * ratio));
    requestRender();
}

void VtkWidget::requestRender() {
    update(); // paintGL renders
}

void VtkWidget::fitView() {
    m_renderer->ResetCamera();
    requestRender();
}

void VtkWidget::setIsometricView() {
    vtkCamera* camera = m_renderer->GetActiveCamera();
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(1, -1, 0.8); // front-right, from above: how CAD tools open a part
    camera->SetViewUp(0, 0, 1);
    fitView();
}

void VtkWidget::copyCameraFrom(const VtkWidget& other) {
    if (&other == this) return;
    m_renderer->GetActiveCamera()->DeepCopy(other.m_renderer->GetActiveCamera());
    m_renderer->ResetCameraClippingRange();
    requestRender();
}

void VtkWidget::paintGL() {
    if (!m_initialised) return;
    // VTK renders into its own framebuffers and, in BlitToCurrent mode, blits the result into
    // the framebuffer bound when the render starts: Qt's, bound for paintGL. Resetting VTK's
    // state cache first makes it read that binding instead of trusting stale values.
    vtkOpenGLState* state = m_window->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    m_inPaint = true;
    m_window->Render();
    m_inPaint = false;
    state->Pop();
    // Opaque alpha, or the compositor blends the view with what lies behind the window.
    makeCurrent();
    QOpenGLFunctions* gl = context()->functions();
    gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    gl->glClearColor(0, 0, 0, 1);
    gl->glClear(GL_COLOR_BUFFER_BIT);
    gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
}

bool VtkWidget::event(QEvent* event) {
    if (m_initialised && forwardToInteractor(event)) return true;
    return QOpenGLWidget::event(event);
}

bool VtkWidget::forwardToInteractor(QEvent* event) {
    const qreal ratio = devicePixelRatioF();
    const auto setPosition = [&](const QPointF& position, Qt::KeyboardModifiers modifiers,
                                 bool doubleClick) {
        m_interactor->SetEventInformationFlipY(
            qRound(position.x() * ratio), qRound(position.y() * ratio),
            (modifiers & Qt::ControlModifier) ? 1 : 0, (modifiers & Qt::ShiftModifier) ? 1 : 0, 0,
            doubleClick ? 1 : 0);
        m_interactor->SetAltKey((modifiers & Qt::AltModifier) ? 1 : 0);
    };
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseButtonRelease: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        setPosition(mouse->position(), mouse->modifiers(),
                    event->type() == QEvent::MouseButtonDblClick);
        const bool press = event->type() != QEvent::MouseButtonRelease;
        unsigned long id = 0;
        switch (mouse->button()) {
        case Qt::LeftButton:
            id = press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
            break;
        case Qt::MiddleButton:
            id = press ? vtkCommand::MiddleButtonPressEvent : vtkCommand::MiddleButtonReleaseEvent;
            break;
        case Qt::RightButton:
            id = press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
            break;
        default:
            return false;
        }
        m_interactor->InvokeEvent(id, event);
        return true;
    }
    case QEvent::MouseMove: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        setPosition(mouse->position(), mouse->modifiers(), false);
        m_interactor->InvokeEvent(vtkCommand::MouseMoveEvent, event);
        return true;
    }
    case QEvent::Wheel: {
        auto* wheel = static_cast<QWheelEvent*>(event);
        setPosition(wheel->position(), wheel->modifiers(), false);
        // Touchpads send small deltas: one VTK step per accumulated notch of 120.
        m_wheelAccumulator += wheel->angleDelta().y();
        while (m_wheelAccumulator >= 120) {
            m_interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent, event);
            m_wheelAccumulator -= 120;
        }
        while (m_wheelAccumulator <= -120) {
            m_interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, event);
            m_wheelAccumulator += 120;
        }
        Q_EMIT cameraChanged();
        return true;
    }
    case QEvent::Enter:
        m_interactor->InvokeEvent(vtkCommand::EnterEvent, event);
        return false;
    case QEvent::Leave:
        m_interactor->InvokeEvent(vtkCommand::LeaveEvent, event);
        return false;
    default:
        return false;
    }
}

} // namespace img2cad::viewer
