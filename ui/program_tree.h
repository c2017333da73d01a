// SPDX-License-Identifier: MIT
#pragma once
// The shown part's program as an operation tree: extrudes (plane, operation, extent), their
// profiles, loops and curves with every number editable in place. Edits change a working copy
// (cad/program_edit.h keeps loops closed as corners move); Recompile hands it to the window,
// which compiles it on a worker and answers with showCompiled or showCompileError (the item the
// kernel complained about is selected). Revert goes back to the program as it was shown.

#include "cad/error.h"
#include "cad/program.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace img2cad::ui {

class ProgramTree : public QWidget {
    Q_OBJECT
public:
    explicit ProgramTree(QWidget* parent = nullptr);

    /// Shows `program` unedited (a newly opened part or a newly selected candidate).
    void setProgram(const cad::Program& program);
    /// No program (meshes, clouds, photos).
    void clear();
    bool hasProgram() const { return m_hasProgram; }
    /// The working copy, with every edit so far.
    const cad::Program& program() const { return m_program; }
    /// The working copy differs from what was last compiled (Recompile is enabled).
    bool isEdited() const { return m_hasProgram && !(m_program == m_compiled); }

    /// The window compiled the working copy: it becomes the new baseline.
    void showCompiled(const QString& summary);
    /// The window could not compile it: say why and select the item at fault.
    void showCompileError(const QString& message, const cad::ProgramLocation& where);
    QString statusText() const;
    QTreeWidget* tree() const { return m_tree; }

public Q_SLOTS:
    void requestRecompile();
    void revert();

Q_SIGNALS:
    void recompileRequested(const cad::Program& program);

private:
    void rebuild();
    void refreshValues();
    void onItemChanged(QTreeWidgetItem* item, int column);
    void setStatus(const QString& text, bool error);
    void updateButtons();
    QTreeWidgetItem* itemAt(const cad::ProgramLocation& where) const;

    QTreeWidget* m_tree = nullptr;
    QPushButton* m_recompile = nullptr;
    QPushButton* m_revert = nullptr;
    QLabel* m_status = nullptr;
    cad::Program m_original; ///< as shown, for Revert
    cad::Program m_compiled; ///< as last compiled
    cad::Program m_program;  ///< the working copy
    bool m_hasProgram = false;
    bool m_updating = false; ///< the tree is being filled: item changes are not edits
};

} // namespace img2cad::ui
