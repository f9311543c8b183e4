#include "code/CodeSnippets.h"

#include "transport/HttpTransport.h"
#include "transport/SdkProtocol.h"
#include "transport/SdkTransport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace dust::codesnippets {

namespace {

using Kind = EditRequest::Kind;

QString tr(const char *text)
{
    return QCoreApplication::translate("CodeSnippets", text);
}

QString serverBase(const QUrl &server)
{
    QString base = server.toString(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo |
                                   QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base;
}

// A JSON string literal ("a \"b\""), also a JavaScript one.
QString quoted(const QString &text)
{
    return jsonText(QJsonValue(text));
}

// The reason `language` cannot express the target, or empty.
QString whyNot(SnippetLanguage language, const SnippetTarget &target)
{
    if (!target.path.isValid())
        return tr("no path is selected");
    if (!target.edit)
        return {};
    const EditRequest &edit = *target.edit;
    switch (edit.kind) {
    case Kind::Set:
    case Kind::Delete:
        break;
    case Kind::Merge:
    case Kind::Increment:
    case Kind::AddMember:
    case Kind::RemoveMember:
        if (language == SnippetLanguage::Curl)
            return tr("the REST API has no %1 (only set and delete, dust-protocol.md §4.4); "
                      "use the dust CLI or an SDK")
                .arg(edit.opName());
        break;
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutFile:
    case Kind::PutTyped:
        return tr("%1 is not offered as code").arg(edit.opName());
    }
    if (edit.kind == Kind::Set && edit.ifAbsent &&
        (language == SnippetLanguage::Cli || language == SnippetLanguage::Elixir))
        return tr("this client has no create-if-absent; curl has it (If-None-Match: *)");
    if (edit.kind == Kind::Delete && edit.ifMatch &&
        (language == SnippetLanguage::Cli || language == SnippetLanguage::JavaScript))
        return tr("this client deletes without a revision check; curl has it (If-Match)");
    return {};
}

QString comment(SnippetLanguage language, const QString &text)
{
    const QString lead =
        language == SnippetLanguage::JavaScript ? QStringLiteral("// ") : QStringLiteral("# ");
    return lead + text + QLatin1Char('\n');
}

QString authHeader()
{
    return QStringLiteral("-H \"Authorization: Bearer $%1\"").arg(tokenVariable());
}

} // namespace

QString tokenVariable()
{
    return QStringLiteral("DUST_TOKEN");
}

QString languageName(SnippetLanguage language)
{
    switch (language) {
    case SnippetLanguage::Curl:
        return tr("curl");
    case SnippetLanguage::Cli:
        return tr("dust CLI");
    case SnippetLanguage::JavaScript:
        return tr("JavaScript (TypeScript SDK)");
    case SnippetLanguage::Elixir:
        return tr("Elixir");
    }
    return {};
}

QUrl serverUrlOf(const Transport *transport)
{
    if (const auto *http = qobject_cast<const HttpTransport *>(transport))
        return http->baseUrl();
    if (const auto *live = qobject_cast<const SdkTransport *>(transport))
        return sdk::httpBaseUrl(live->options().url);
    return {};
}

QString entryUrl(const QUrl &server, const QString &store, const Path &path)
{
    return serverBase(server) + QStringLiteral("/api/stores/") + store +
           QStringLiteral("/entries/") + QString::fromLatin1(path.urlEncoded());
}

QString socketUrl(const QUrl &server)
{
    QUrl ws = server;
    ws.setScheme(server.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                           : QStringLiteral("ws"));
    return serverBase(ws) + QStringLiteral("/ws/sync");
}

QString shellQuote(QStringView text)
{
    QString out = QStringLiteral("'");
    for (const QChar c : text) {
        if (c == QLatin1Char('\''))
            out += QStringLiteral("'\\''");
        else
            out += c;
    }
    return out + QLatin1Char('\'');
}

QString jsonText(const QJsonValue &value)
{
    const QByteArray doc = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(doc.mid(1, doc.size() - 2));
}

QString elixirTerm(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("nil");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const QString text = jsonText(value);
        // Elixir floats need digits on both sides of the point ("1.0e20", not "1e20").
        if (text.contains(QLatin1Char('e')) && !text.contains(QLatin1Char('.'))) {
            const qsizetype e = text.indexOf(QLatin1Char('e'));
            return text.left(e) + QStringLiteral(".0") + text.mid(e);
        }
        return text;
    }
    case QJsonValue::String: {
        // A JSON string literal is an Elixir one once "#{" cannot interpolate.
        QString text = quoted(value.toString());
        return text.replace(QStringLiteral("#{"), QStringLiteral("\\#{"));
    }
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(elixirTerm(item));
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object: {
        QStringList items;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            items.append(elixirTerm(QJsonValue(it.key())) + QStringLiteral(" => ") +
                         elixirTerm(it.value()));
        return QStringLiteral("%{") + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    }
    return QStringLiteral("nil");
}

bool canExpress(SnippetLanguage language, const SnippetTarget &target, QString *why)
{
    const QString reason = whyNot(language, target);
    if (why)
        *why = reason;
    return reason.isEmpty();
}

QString snippet(SnippetLanguage language, const SnippetTarget &target)
{
    switch (language) {
    case SnippetLanguage::Curl:
        return curl(target);
    case SnippetLanguage::Cli:
        return cli(target);
    case SnippetLanguage::JavaScript:
        return javaScript(target);
    case SnippetLanguage::Elixir:
        return elixir(target);
    }
    return {};
}

QString curl(const SnippetTarget &target)
{
    if (const QString why = whyNot(SnippetLanguage::Curl, target); !why.isEmpty())
        return comment(SnippetLanguage::Curl, why);
    const QString url = shellQuote(entryUrl(target.server, target.store, target.path));
    QStringList words{QStringLiteral("curl -sS")};
    if (!target.edit) {
        words << authHeader() << url;
        return words.join(QLatin1Char(' ')) + QLatin1Char('\n');
    }
    const EditRequest &edit = *target.edit;
    if (edit.kind == Kind::Delete) {
        words << QStringLiteral("-X DELETE") << authHeader();
        if (edit.ifMatch)
            words << QStringLiteral("-H 'If-Match: %1'").arg(*edit.ifMatch);
        words << url;
        return words.join(QLatin1Char(' ')) + QLatin1Char('\n');
    }
    // A set. PUT refuses an empty object as its body (dust-protocol.md §4.4); the body-path
    // form POST …/entries takes it.
    const bool emptyObject = edit.value.isObject() && edit.value.toObject().isEmpty();
    if (emptyObject) {
        QJsonObject body{{QStringLiteral("path"), target.path.rendered()},
                         {QStringLiteral("value"), QJsonObject()}};
        if (edit.ifMatch)
            body.insert(QStringLiteral("if_match"), *edit.ifMatch);
        if (edit.ifAbsent)
            body.insert(QStringLiteral("if_absent"), true);
        QString base = entryUrl(target.server, target.store, target.path);
        base.truncate(base.size() - target.path.urlEncoded().size() - 1);
        words << QStringLiteral("-X POST") << authHeader()
              << QStringLiteral("-H 'Content-Type: application/json'")
              << QStringLiteral("--data-binary") << shellQuote(jsonText(body)) << shellQuote(base);
        return words.join(QLatin1Char(' ')) + QLatin1Char('\n');
    }
    words << QStringLiteral("-X PUT") << authHeader()
          << QStringLiteral("-H 'Content-Type: application/json'");
    if (edit.ifMatch)
        words << QStringLiteral("-H 'If-Match: %1'").arg(*edit.ifMatch);
    else if (edit.ifAbsent)
        words << QStringLiteral("-H 'If-None-Match: *'");
    words << QStringLiteral("--data-binary") << shellQuote(jsonText(edit.value)) << url;
    return words.join(QLatin1Char(' ')) + QLatin1Char('\n');
}

QString cli(const SnippetTarget &target)
{
    if (const QString why = whyNot(SnippetLanguage::Cli, target); !why.isEmpty())
        return comment(SnippetLanguage::Cli, why);
    // The CLI reads its token from DUST_API_KEY and its server from "server_url" in
    // ~/.config/dust/config.json (cli/src/dust/config.cr).
    QString out = comment(SnippetLanguage::Cli,
                          tr("server: \"server_url\": \"%1\" in ~/.config/dust/config.json")
                              .arg(socketUrl(target.server)));
    QStringList words{QStringLiteral("DUST_API_KEY=\"$%1\" dust").arg(tokenVariable())};
    const QString store = shellQuote(target.store);
    const QString path = shellQuote(target.path.rendered());
    if (!target.edit) {
        words << QStringLiteral("entry") << store << path;
        return out + words.join(QLatin1Char(' ')) + QLatin1Char('\n');
    }
    const EditRequest &edit = *target.edit;
    switch (edit.kind) {
    case Kind::Set:
        words << QStringLiteral("put") << store << path << shellQuote(jsonText(edit.value));
        if (edit.ifMatch)
            words << QStringLiteral("--if-match %1").arg(*edit.ifMatch);
        break;
    case Kind::Delete:
        words << QStringLiteral("delete") << store << path;
        break;
    case Kind::Merge:
        words << QStringLiteral("merge") << store << path << shellQuote(jsonText(edit.value));
        break;
    case Kind::Increment:
        words << QStringLiteral("increment") << store << path << jsonText(edit.value);
        break;
    case Kind::AddMember:
    case Kind::RemoveMember:
        words << (edit.kind == Kind::AddMember ? QStringLiteral("add") : QStringLiteral("remove"))
              << store << path << shellQuote(jsonText(edit.value));
        break;
    default:
        break;
    }
    return out + words.join(QLatin1Char(' ')) + QLatin1Char('\n');
}

QString javaScript(const SnippetTarget &target)
{
    if (const QString why = whyNot(SnippetLanguage::JavaScript, target); !why.isEmpty())
        return comment(SnippetLanguage::JavaScript, why);
    const QString store = quoted(target.store);
    const QString path = quoted(target.path.rendered());
    QString out = QStringLiteral("import { Dust } from \"@dust-sync/sdk\";\n\n"
                                 "const dust = new Dust({ url: %1, token: process.env.%2 });\n")
                      .arg(quoted(socketUrl(target.server)), tokenVariable());
    if (!target.edit) {
        out += QStringLiteral("const entry = await dust.entry(%1, %2);\n"
                              "console.log(entry);\n")
                   .arg(store, path);
    } else {
        const EditRequest &edit = *target.edit;
        const QString value = jsonText(edit.value);
        QString call;
        switch (edit.kind) {
        case Kind::Set:
            // put(store, path, value, { ifMatch?, ifAbsent? }) (sdk/typescript/src/dust.ts)
            call = edit.ifMatch ? QStringLiteral("dust.put(%1, %2, %3, { ifMatch: %4 })")
                                      .arg(store, path, value, QString::number(*edit.ifMatch))
                   : edit.ifAbsent ? QStringLiteral("dust.put(%1, %2, %3, { ifAbsent: true })")
                                         .arg(store, path, value)
                                   : QStringLiteral("dust.put(%1, %2, %3)").arg(store, path, value);
            break;
        case Kind::Delete:
            call = QStringLiteral("dust.delete(%1, %2)").arg(store, path);
            break;
        case Kind::Merge:
            call = QStringLiteral("dust.merge(%1, %2, %3)").arg(store, path, value);
            break;
        case Kind::Increment:
            call = QStringLiteral("dust.increment(%1, %2, %3)").arg(store, path, value);
            break;
        case Kind::AddMember:
            call = QStringLiteral("dust.add(%1, %2, %3)").arg(store, path, value);
            break;
        case Kind::RemoveMember:
            call = QStringLiteral("dust.remove(%1, %2, %3)").arg(store, path, value);
            break;
        default:
            break;
        }
        out += QStringLiteral("const { storeSeq } = await %1;\n"
                              "console.log(\"written at store_seq\", storeSeq);\n")
                   .arg(call);
    }
    return out + QStringLiteral("dust.close();\n");
}

QString elixir(const SnippetTarget &target)
{
    if (const QString why = whyNot(SnippetLanguage::Elixir, target); !why.isEmpty())
        return comment(SnippetLanguage::Elixir, why);
    const QString store = quoted(target.store);
    const QString path = elixirTerm(QJsonValue(target.path.rendered()));
    QString out =
        QStringLiteral("# deps: {:dustlayer, \"~> 0.1\"} (the hex package of the Dust module)\n"
                       "{:ok, _} =\n"
                       "  Dust.Supervisor.start_link(\n"
                       "    stores: [%1],\n"
                       "    url: %2,\n"
                       "    token: System.fetch_env!(\"%3\"),\n"
                       "    cache: {Dust.Cache.Memory, []}\n"
                       "  )\n\n")
            .arg(store, quoted(socketUrl(target.server)), tokenVariable());
    if (!target.edit)
        return out + QStringLiteral("{:ok, entry} = Dust.entry(%1, %2)\nIO.inspect(entry)\n")
                         .arg(store, path);
    const EditRequest &edit = *target.edit;
    const QString value = elixirTerm(edit.value);
    const QString ifMatch =
        edit.ifMatch ? QStringLiteral(", if_match: %1").arg(*edit.ifMatch) : QString();
    switch (edit.kind) {
    case Kind::Set:
        return out + QStringLiteral("Dust.put(%1, %2, %3%4)\n").arg(store, path, value, ifMatch);
    case Kind::Delete:
        return out + QStringLiteral("Dust.delete(%1, %2%3)\n").arg(store, path, ifMatch);
    case Kind::Merge:
        return out + QStringLiteral("Dust.merge(%1, %2, %3)\n").arg(store, path, value);
    case Kind::Increment:
        return out + QStringLiteral("Dust.increment(%1, %2, %3)\n").arg(store, path, value);
    case Kind::AddMember:
        return out + QStringLiteral("Dust.add(%1, %2, %3)\n").arg(store, path, value);
    case Kind::RemoveMember:
        return out + QStringLiteral("Dust.remove(%1, %2, %3)\n").arg(store, path, value);
    default:
        return out;
    }
}

} // namespace dust::codesnippets
