// NodeTreeModel's data: what each row shows and tells views, tools and assistive technology.
#include "NodeTreeModel.h"

#include <QLocale>

namespace dust {

using tree::FetchState;
using tree::Node;
using tree::NodeExtra;

namespace {

// "1 item", "12,345 items" in the user's locale.
QString itemCountText(size_t count)
{
    return count == 1 ? NodeTreeModel::tr("1 item")
                      : NodeTreeModel::tr("%1 items").arg(QLocale().toString(qulonglong(count)));
}

} // namespace

QVariant NodeTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    Node *n = nodeOf(index);
    nodeAsked(n);
    const NodeExtra *x = n->extra.get();
    const bool loading = x && x->fetch == FetchState::Loading;
    const QString error = x ? x->error : QString();

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return n->name;
        case TypeColumn:
            return n->hasValue() ? m_typeNames.value(n->type) : QString();
        case ValueColumn:
            if (!error.isEmpty())
                return tr("Error: %1").arg(error);
            if (loading)
                return tr("loading\u2026");
            if (n->hasValue())
                return n->preview.toString();
            if (!n->children.empty())
                return itemCountText(n->children.size());
            return QString();
        case RevisionColumn:
            return n->hasValue() ? QVariant(n->revision) : QVariant();
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return error.isEmpty() ? tree::renderedPathOf(n) : error;
    case PathRole:
        return tree::renderedPathOf(n);
    case SegmentsRole:
        return tree::segmentsOf(n);
    case NameRole:
        return n->name;
    case TypeRole:
        return n->hasValue() ? m_typeNames.value(n->type) : QString();
    case PreviewRole:
        return n->preview.toString();
    case RevisionRole:
        return n->hasValue() ? QVariant(n->revision) : QVariant();
    case HasValueRole:
        return n->hasValue();
    case HasChildrenRole:
        return nodeHasChildren(n);
    case LoadingRole:
        return loading;
    case ErrorRole:
        return error;
    case ChangedAtRole:
        return m_recent.changedAt(n);
    case ChangedBelowRole:
        return m_recent.changedBelow(n);
    case ChildCountRole:
        return int(n->children.size());
    case Qt::AccessibleDescriptionRole:
        if (index.column() != NameColumn)
            return {};
        if (!n->hasValue())
            return tr("folder %1, %2")
                .arg(tree::renderedPathOf(n), itemCountText(n->children.size()));
        return tr("path %1, type %2, value %3, revision %4")
            .arg(tree::renderedPathOf(n), m_typeNames.value(n->type), n->preview.toString())
            .arg(n->revision);
    case MatchesFilterRole:
        return !m_filterActive || m_shown.value(n).matches;
    default:
        return {};
    }
}

QVariant NodeTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case TypeColumn:
        return tr("Type");
    case ValueColumn:
        return tr("Value");
    case RevisionColumn:
        return tr("Revision");
    default:
        return {};
    }
}

Qt::ItemFlags NodeTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QHash<int, QByteArray> NodeTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(PathRole, "path");
    names.insert(SegmentsRole, "segments");
    names.insert(NameRole, "name");
    names.insert(TypeRole, "type");
    names.insert(PreviewRole, "preview");
    names.insert(RevisionRole, "revision");
    names.insert(HasValueRole, "hasValue");
    names.insert(HasChildrenRole, "hasChildren");
    names.insert(LoadingRole, "loading");
    names.insert(ErrorRole, "error");
    names.insert(ChangedAtRole, "changedAt");
    names.insert(MatchesFilterRole, "matchesFilter");
    names.insert(ChangedBelowRole, "changedBelow");
    names.insert(ChildCountRole, "childCount");
    return names;
}

} // namespace dust
