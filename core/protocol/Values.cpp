#include "Values.h"

#include <QHash>
#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <vector>

namespace dust::values {

namespace {

constexpr QLatin1String kType("_type");
constexpr QLatin1String kTyped("_typed");
constexpr QLatin1String kScalar("_scalar");

QString envelopeType(const QJsonObject &object)
{
    const QJsonValue type = object.value(kType);
    return type.isString() ? type.toString() : QString();
}

} // namespace

bool isTypedEnvelope(const QJsonObject &object)
{
    const QJsonValue type = object.value(kType);
    if (type.isUndefined())
        return false;
    if (object.contains(kTyped))
        return true;
    const QString name = type.isString() ? type.toString() : QString();
    return name == QLatin1String("file") || name == QLatin1String("lease");
}

bool isPlainObject(const QJsonValue &value)
{
    return value.isObject() && !isTypedEnvelope(value.toObject());
}

// JSON numbers do not keep "1" apart from "1.0" once parsed, so every integral number
// within the 64-bit range reads as "integer" and every other number as "float".
QString detectType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return integerValue(value) ? QStringLiteral("integer") : QStringLiteral("float");
    case QJsonValue::String:
    case QJsonValue::Array:
        return QStringLiteral("string");
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (!object.contains(kTyped)) {
            const QString type = envelopeType(object);
            if (type == QLatin1String("file") || type == QLatin1String("lease"))
                return type;
        }
        return QStringLiteral("map");
    }
    }
    return QStringLiteral("string");
}

QList<Leaf> flatten(const Path &base, const QJsonValue &value)
{
    QList<Leaf> leaves;
    if (!isPlainObject(value)) {
        if (base.isValid())
            leaves.append(Leaf{base, value, detectType(value)});
        return leaves;
    }

    struct Frame
    {
        QJsonObject object;
        qsizetype next = 0;
    };
    std::vector<Frame> stack;
    stack.push_back(Frame{value.toObject(), 0});
    QStringList segments = base.segments();
    while (!stack.empty()) {
        Frame &top = stack.back();
        if (top.next == top.object.size()) {
            stack.pop_back();
            if (!stack.empty())
                segments.removeLast();
            continue;
        }
        const auto it = top.object.constBegin() + top.next++;
        segments.append(it.key());
        const QJsonValue child = it.value();
        if (isPlainObject(child)) {
            stack.push_back(Frame{child.toObject(), 0}); // `top` is not used after this
            continue;
        }
        auto path = Path::fromSegments(segments);
        segments.removeLast();
        if (path) // an empty key has no path; validateKeys() reports it
            leaves.append(Leaf{std::move(path).value(), child, detectType(child)});
    }
    return leaves;
}

std::optional<PathError> validateKeys(const QJsonValue &value)
{
    if (!isPlainObject(value))
        return std::nullopt;
    std::vector<QJsonObject> pending{value.toObject()};
    while (!pending.empty()) {
        const QJsonObject object = std::move(pending.back());
        pending.pop_back();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.key().isEmpty())
                return PathError::EmptySegment;
            const QJsonValue child = it.value();
            if (isPlainObject(child))
                pending.push_back(child.toObject());
        }
    }
    return std::nullopt;
}

QJsonValue unwrapScalar(const QJsonValue &value)
{
    if (!value.isObject())
        return value;
    const QJsonObject object = value.toObject();
    if (object.size() == 1) {
        const auto it = object.constFind(kScalar);
        if (it != object.constEnd())
            return it.value();
    }
    return value;
}

QJsonValue wrapScalar(const QJsonValue &value)
{
    if (value.isObject())
        return value;
    QJsonObject wrapped;
    wrapped.insert(kScalar, value.isUndefined() ? QJsonValue(QJsonValue::Null) : value);
    return wrapped;
}

// Builds a tree of nodes in one flat array (a parent's index is always below its
// children's), then turns it into JSON from the last node to the first, so every child is
// complete before its parent: no recursion at any depth.
Entry assembleSubtree(const Path &base, const QList<Entry> &descendants)
{
    struct Node
    {
        QJsonValue value;
        bool hasValue = false;
        std::vector<std::pair<QString, int>> children;
    };
    std::vector<Node> nodes(1);
    QHash<std::pair<int, QString>, int> index;
    qint64 revision = 0;
    const qsizetype baseDepth = base.isValid() ? base.depth() : 0;

    for (const Entry &entry : descendants) {
        if (base.isValid() ? !base.isAncestorOf(entry.path) : !entry.path.isValid())
            continue;
        revision = std::max(revision, entry.revision);
        const QStringList &segments = entry.path.segments();
        int node = 0;
        for (qsizetype i = baseDepth; i < segments.size(); ++i) {
            const std::pair<int, QString> key{node, segments[i]};
            auto found = index.constFind(key);
            if (found != index.constEnd()) {
                node = found.value();
                continue;
            }
            const int created = int(nodes.size());
            nodes.emplace_back();
            nodes[node].children.emplace_back(segments[i], created);
            index.insert(key, created);
            node = created;
        }
        nodes[node].value = entry.value;
        nodes[node].hasValue = true;
    }
    index.clear();

    std::vector<QJsonValue> built(nodes.size());
    for (qsizetype i = qsizetype(nodes.size()) - 1; i >= 0; --i) {
        Node &node = nodes[i];
        if (node.children.empty()) {
            built[i] = node.hasValue ? node.value : QJsonValue(QJsonObject());
            continue;
        }
        // Deeper leaves win over a value stored at the node itself. Inserting keys in
        // order keeps each insert at the end of the object.
        std::sort(node.children.begin(), node.children.end());
        QJsonObject object;
        for (auto &[key, child] : node.children) {
            object.insert(key, built[child]);
            built[child] = QJsonValue();
        }
        node.children.clear();
        node.value = QJsonValue();
        built[i] = object;
    }

    Entry entry;
    entry.path = base;
    entry.value = built[0].isObject() ? built[0] : QJsonValue(QJsonObject());
    entry.type = QStringLiteral("map");
    entry.revision = revision;
    return entry;
}

std::optional<qint64> integerValue(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    // toInteger() falls back to the default for anything that is not an integral number
    // within the 64-bit range; two different defaults tell that apart from a real value.
    const qint64 a = value.toInteger(0);
    const qint64 b = value.toInteger(1);
    if (a != b)
        return std::nullopt;
    return a;
}

namespace {

// Writes compact, JSON-like text into a fixed budget and stops as soon as it is spent, so
// the cost depends on the budget, not on the size of the value.
class PreviewWriter
{
public:
    explicit PreviewWriter(qsizetype limit)
        : m_limit(limit)
    {
        m_out.reserve(limit + 2);
    }

    bool full() const { return m_out.size() >= m_limit; }
    QString take() { return std::move(m_out); }

    void text(QStringView s)
    {
        const qsizetype room = m_limit - m_out.size();
        if (room > 0)
            m_out.append(s.first(std::min(room, s.size())));
    }
    void ch(QChar c)
    {
        if (!full())
            m_out.append(c);
    }

    // A string value without quotes (the value itself): control characters become spaces.
    void plain(const QString &s)
    {
        for (const QChar c : s) {
            if (full())
                return;
            m_out.append(c.unicode() < 0x20 || c.unicode() == 0x7f ? QLatin1Char(' ') : c);
        }
    }

    void quoted(const QString &s)
    {
        ch(QLatin1Char('"'));
        for (const QChar c : s) {
            if (full())
                return;
            switch (c.unicode()) {
            case '"':
                text(u"\\\"");
                break;
            case '\\':
                text(u"\\\\");
                break;
            case '\n':
                text(u"\\n");
                break;
            case '\r':
                text(u"\\r");
                break;
            case '\t':
                text(u"\\t");
                break;
            default:
                m_out.append(c.unicode() < 0x20 ? QLatin1Char(' ') : c);
            }
        }
        ch(QLatin1Char('"'));
    }

    void scalar(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            text(u"null");
            break;
        case QJsonValue::Bool:
            text(v.toBool() ? QStringView(u"true") : QStringView(u"false"));
            break;
        case QJsonValue::Double:
            if (const auto i = integerValue(v))
                text(QString::number(*i));
            else
                text(QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest));
            break;
        case QJsonValue::String:
            quoted(v.toString());
            break;
        case QJsonValue::Array:
        case QJsonValue::Object:
            break; // handled by the caller
        }
    }

private:
    QString m_out;
    qsizetype m_limit;
};

} // namespace

QString preview(const QJsonValue &value, int maxChars)
{
    if (maxChars <= 0)
        return {};
    // One character more than allowed tells whether the text had to be cut.
    PreviewWriter w(qsizetype(maxChars) + 1);

    if (value.isString()) {
        w.plain(value.toString());
    } else if (!value.isArray() && !value.isObject()) {
        w.scalar(value);
    } else {
        struct Frame
        {
            QJsonArray array;
            QJsonObject object;
            bool isObject = false;
            qsizetype next = 0;
        };
        std::vector<Frame> stack;
        auto open = [&](const QJsonValue &v) {
            if (v.isObject()) {
                w.ch(QLatin1Char('{'));
                stack.push_back(Frame{{}, v.toObject(), true, 0});
            } else {
                w.ch(QLatin1Char('['));
                stack.push_back(Frame{v.toArray(), {}, false, 0});
            }
        };
        open(value);
        while (!stack.empty() && !w.full()) {
            Frame &top = stack.back();
            const qsizetype size = top.isObject ? top.object.size() : top.array.size();
            if (top.next == size) {
                w.ch(top.isObject ? QLatin1Char('}') : QLatin1Char(']'));
                stack.pop_back();
                continue;
            }
            if (top.next > 0)
                w.text(u", ");
            QJsonValue child;
            if (top.isObject) {
                const auto it = top.object.constBegin() + top.next;
                w.quoted(it.key());
                w.text(u": ");
                child = it.value();
            } else {
                child = top.array.at(top.next);
            }
            ++top.next;
            if (child.isArray() || child.isObject())
                open(child); // `top` is not used after this
            else
                w.scalar(child);
        }
    }

    QString out = w.take();
    if (out.size() > maxChars) {
        qsizetype keep = maxChars - 1;
        if (keep > 0 && out.at(keep - 1).isHighSurrogate())
            --keep;
        out.truncate(keep);
        out.append(QChar(0x2026)); // …
    }
    return out;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

} // namespace dust::values
