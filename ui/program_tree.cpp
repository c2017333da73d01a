// SPDX-License-Identifier: MIT
#include "ui/program_tree.h"

#include "cad/program_edit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

namespace img2cad::ui {
namespace {

using cad::ProgramParameter;

// Item data: every item knows where it is (extrude, profile, loop, curve; -1 = not that deep);
// number items also know which parameter they show.
constexpr int kLocationRole = Qt::UserRole;
constexpr int kParameterRole = Qt::UserRole + 1;

const std::vector<std::pair<cad::BooleanOp, const char*>> kOperations{
    {cad::BooleanOp::NewBody, "new body"},
    {cad::BooleanOp::Join, "join"},
    {cad::BooleanOp::Cut, "cut"},
    {cad::BooleanOp::Intersect, "intersect"}};
const std::vector<std::pair<cad::ExtentType, const char*>> kExtents{
    {cad::ExtentType::OneSided, "one-sided"},
    {cad::ExtentType::Symmetric, "symmetric"},
    {cad::ExtentType::TwoSided, "two-sided"}};

QVariantList locationData(int e, int p = -1, int l = -1, int c = -1) {
    return {e, p, l, c};
}

cad::ProgramLocation locationOf(const QTreeWidgetItem* item) {
    const QVariantList l = item->data(0, kLocationRole).toList();
    if (l.size() != 4) return {};
    return {l[0].toInt(), l[1].toInt(), l[2].toInt(), l[3].toInt()};
}

bool isNumberItem(const QTreeWidgetItem* item) {
    return item->data(0, kParameterRole).isValid();
}

cad::ParameterAddress addressOf(const QTreeWidgetItem* item) {
    const cad::ProgramLocation l = locationOf(item);
    const auto at = [](int i) { return std::size_t(std::max(i, 0)); };
    return {at(l.operation), at(l.profile), at(l.loop), at(l.curve),
            ProgramParameter(item->data(0, kParameterRole).toInt())};
}

QString format(double value) {
    return QLocale::c().toString(value, 'g', 8);
}

QString vectorText(const cad::Vec3& v) {
    return QString("(%1, %2, %3)").arg(format(v.x), format(v.y), format(v.z));
}

const char* curveKind(const cad::Curve& curve) {
    if (std::holds_alternative<cad::Line>(curve)) return "line";
    if (std::holds_alternative<cad::Arc>(curve)) return "arc";
    return "circle";
}

std::vector<ProgramParameter> curveParameters(const cad::Curve& curve) {
    using P = ProgramParameter;
    if (std::holds_alternative<cad::Line>(curve)) return {P::StartX, P::StartY, P::EndX, P::EndY};
    if (std::holds_alternative<cad::Arc>(curve))
        return {P::StartX, P::StartY, P::MidX, P::MidY, P::EndX, P::EndY};
    return {P::CenterX, P::CenterY, P::Radius};
}

QString operationName(cad::BooleanOp op) {
    for (const auto& [value, name] : kOperations)
        if (value == op) return name;
    return {};
}

QString extrudeSummary(const cad::Extrude& e) {
    for (const auto& [value, name] : kExtents)
        if (value == e.extent.type) return operationName(e.op) + ", " + name;
    return operationName(e.op);
}

QTreeWidgetItem* numberItem(QTreeWidgetItem* parent, QVariantList location, ProgramParameter p) {
    auto* item = new QTreeWidgetItem(parent, {cad::parameterName(p)});
    item->setData(0, kLocationRole, location);
    item->setData(0, kParameterRole, int(p));
    return item;
}

} // namespace

ProgramTree::ProgramTree(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName("programTree");
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({"Program", "Value"});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::SelectedClicked);
    connect(m_tree, &QTreeWidget::itemChanged, this, &ProgramTree::onItemChanged);
    layout->addWidget(m_tree, 1);

    m_status = new QLabel(this);
    m_status->setObjectName("programStatus");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto* buttons = new QHBoxLayout;
    m_recompile = new QPushButton("Recompile", this);
    m_recompile->setObjectName("recompileProgram");
    m_recompile->setToolTip("Compile the edited program into a solid (Ctrl+Return)");
    m_recompile->setShortcut(QKeySequence("Ctrl+Return"));
    m_revert = new QPushButton("Revert", this);
    m_revert->setObjectName("revertProgram");
    m_revert->setToolTip("Back to the program as it was opened or generated");
    connect(m_recompile, &QPushButton::clicked, this, &ProgramTree::requestRecompile);
    connect(m_revert, &QPushButton::clicked, this, &ProgramTree::revert);
    buttons->addWidget(m_recompile);
    buttons->addWidget(m_revert);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    clear();
}

void ProgramTree::setProgram(const cad::Program& program) {
    m_original = m_compiled = m_program = program;
    m_hasProgram = true;
    rebuild();
    setStatus(QString("%1 extrudes, %2 curves: double-click a number to edit it")
                  .arg(program.extrudes.size())
                  .arg(cad::curveCount(program)),
              false);
}

void ProgramTree::clear() {
    m_original = m_compiled = m_program = {};
    m_hasProgram = false;
    rebuild();
    setStatus("The shown part has no program to edit.", false);
}

void ProgramTree::rebuild() {
    const QSignalBlocker block(m_tree);
    m_updating = true;
    m_tree->clear();
    for (std::size_t e = 0; e < m_program.extrudes.size(); ++e) {
        const cad::Extrude& extrude = m_program.extrudes[e];
        auto* top = new QTreeWidgetItem(m_tree, {QString("Extrude %1").arg(e + 1)});
        top->setData(0, kLocationRole, locationData(int(e)));
        top->setText(1, extrudeSummary(extrude));

        auto* operation = new QTreeWidgetItem(top, {"operation"});
        auto* operationBox = new QComboBox(m_tree);
        for (const auto& [value, name] : kOperations) {
            operationBox->addItem(name, int(value));
            if (value == extrude.op) operationBox->setCurrentIndex(operationBox->count() - 1);
        }
        m_tree->setItemWidget(operation, 1, operationBox);
        connect(operationBox, &QComboBox::currentIndexChanged, this, [this, e, operationBox, top] {
            m_program.extrudes[e].op = cad::BooleanOp(operationBox->currentData().toInt());
            top->setText(1, extrudeSummary(m_program.extrudes[e]));
            updateButtons();
        });

        auto* extent = new QTreeWidgetItem(top, {"extent"});
        auto* extentBox = new QComboBox(m_tree);
        for (const auto& [value, name] : kExtents) {
            extentBox->addItem(name, int(value));
            if (value == extrude.extent.type) extentBox->setCurrentIndex(extentBox->count() - 1);
        }
        m_tree->setItemWidget(extent, 1, extentBox);
        connect(extentBox, &QComboBox::currentIndexChanged, this, [this, e, extentBox, top] {
            cad::Extent& x = m_program.extrudes[e].extent;
            x.type = cad::ExtentType(extentBox->currentData().toInt());
            // A second side that starts empty would extrude nothing there: mirror the first.
            if (x.type == cad::ExtentType::TwoSided && x.distance2 == 0.0)
                x.distance2 = std::abs(x.distance);
            top->setText(1, extrudeSummary(m_program.extrudes[e]));
            refreshValues();
            updateButtons();
        });
        for (ProgramParameter p :
             {ProgramParameter::Distance, ProgramParameter::Distance2, ProgramParameter::OriginX,
              ProgramParameter::OriginY, ProgramParameter::OriginZ})
            numberItem(top, locationData(int(e)), p);
        new QTreeWidgetItem(top, {"normal", vectorText(extrude.plane.normal)});
        new QTreeWidgetItem(top, {"x axis", vectorText(extrude.plane.xAxis)});

        for (std::size_t p = 0; p < extrude.profiles.size(); ++p) {
            auto* profile = new QTreeWidgetItem(top, {QString("Profile %1").arg(p + 1)});
            profile->setData(0, kLocationRole, locationData(int(e), int(p)));
            const auto& loops = extrude.profiles[p].loops;
            for (std::size_t l = 0; l < loops.size(); ++l) {
                auto* loop = new QTreeWidgetItem(
                    profile, {QString("Loop %1").arg(l + 1),
                              QString("%1 curves").arg(loops[l].curves.size())});
                loop->setData(0, kLocationRole, locationData(int(e), int(p), int(l)));
                for (std::size_t c = 0; c < loops[l].curves.size(); ++c) {
                    const cad::Curve& curve = loops[l].curves[c];
                    const QVariantList where = locationData(int(e), int(p), int(l), int(c));
                    auto* item = new QTreeWidgetItem(
                        loop, {QString("Curve %1").arg(c + 1), curveKind(curve)});
                    item->setData(0, kLocationRole, where);
                    for (ProgramParameter parameter : curveParameters(curve))
                        numberItem(item, where, parameter);
                }
            }
        }
        top->setExpanded(true);
    }
    m_updating = false;
    refreshValues();
    updateButtons();
}

void ProgramTree::refreshValues() {
    const QSignalBlocker block(m_tree);
    m_updating = true;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        QTreeWidgetItem* item = *it;
        if (!isNumberItem(item)) continue;
        try {
            item->setText(1, format(cad::parameterValue(m_program, addressOf(item))));
            item->setFlags(item->flags() | Qt::ItemIsEditable | Qt::ItemIsEnabled);
        } catch (const cad::Error&) { // e.g. the second distance of a one-sided extent
            item->setText(1, QString::fromUtf8("\u2014"));
            item->setFlags(item->flags() & ~(Qt::ItemIsEditable | Qt::ItemIsEnabled));
        }
    }
    m_updating = false;
}

void ProgramTree::onItemChanged(QTreeWidgetItem* item, int column) {
    if (m_updating || column != 1 || !isNumberItem(item)) return;
    bool ok = false;
    const double value = QLocale::c().toDouble(item->text(1).trimmed(), &ok);
    try {
        if (!ok) throw cad::Error("\"" + item->text(1).toStdString() + "\" is not a number");
        cad::setParameter(m_program, addressOf(item), value);
        setStatus("Edited: Recompile (Ctrl+Return) to see the part.", false);
    } catch (const cad::Error& e) {
        setStatus(QString("Not changed: %1").arg(QString::fromStdString(e.reason())), true);
    }
    refreshValues(); // the typed text, a neighbour's moved corner, or the old value back
    updateButtons();
}

void ProgramTree::requestRecompile() {
    if (!m_hasProgram) return;
    setStatus("Compiling ...", false);
    m_recompile->setEnabled(false);
    Q_EMIT recompileRequested(m_program);
}

void ProgramTree::revert() {
    if (!m_hasProgram) return;
    m_program = m_original;
    rebuild();
    setStatus("Reverted: Recompile to see the original part again.", false);
}

void ProgramTree::showCompiled(const QString& summary) {
    m_compiled = m_program;
    setStatus("Compiled: " + summary, false);
    updateButtons();
}

void ProgramTree::showCompileError(const QString& message, const cad::ProgramLocation& where) {
    setStatus("Does not compile: " + message, true);
    if (QTreeWidgetItem* item = itemAt(where)) {
        m_tree->setCurrentItem(item);
        m_tree->scrollToItem(item);
    }
    updateButtons();
}

QTreeWidgetItem* ProgramTree::itemAt(const cad::ProgramLocation& where) const {
    if (!where.isSet()) return nullptr;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if (isNumberItem(*it) || !(*it)->data(0, kLocationRole).isValid()) continue;
        const cad::ProgramLocation l = locationOf(*it);
        if (l.operation == where.operation && l.profile == where.profile && l.loop == where.loop &&
            l.curve == where.curve)
            return *it;
    }
    return nullptr;
}

QString ProgramTree::statusText() const {
    return m_status->text();
}

void ProgramTree::setStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? "color: #a4161a;" : QString());
}

void ProgramTree::updateButtons() {
    m_recompile->setEnabled(isEdited());
    m_revert->setEnabled(m_hasProgram && !(m_program == m_original));
}

} // namespace img2cad::ui
