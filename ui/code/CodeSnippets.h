#pragma once

#include "edit/EditRequest.h"
#include "protocol/Path.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace dust {

class Transport;

// The languages "Copy as Code" writes.
enum class SnippetLanguage {
    Curl,       // REST with curl (dust-protocol.md §2.4, §4.4)
    Cli,        // the `dust` command line (xlabs-hq/dust cli/src/dust/cli.cr)
    JavaScript, // the TypeScript SDK, npm @dust-sync/sdk (an ES module)
    Elixir,     // the Elixir SDK, hex dustlayer (module Dust)
};

// What a snippet is about: a node of a store, and either reading it (no edit) or an edit
// about to be made (the EditRequest a form or dialog made, not written yet).
struct SnippetTarget
{
    QUrl server;   // the server's HTTP base, http[s]://host[:port][/prefix]
    QString store; // "org/name"
    Path path;
    QString type; // the entry's type as shown, may be empty
    std::optional<EditRequest> edit;
};

// Snippets of code that do what the browser shows or is about to do, with the token left in
// the environment variable DUST_TOKEN (never the token itself). Pure functions, no widgets.
namespace codesnippets {

// The environment variable every snippet reads the token from.
QString tokenVariable();

// A snippet in `language`, or the reason there is none (an op that language cannot express)
// as a comment in that language's syntax, so what is copied still says why.
QString snippet(SnippetLanguage language, const SnippetTarget &target);
// Whether `language` can express the target; `why` gets the reason when not.
bool canExpress(SnippetLanguage language, const SnippetTarget &target, QString *why = nullptr);

QString curl(const SnippetTarget &target);
QString cli(const SnippetTarget &target);
QString javaScript(const SnippetTarget &target);
QString elixir(const SnippetTarget &target);

// The name shown in menus: "curl", "dust CLI", "JavaScript (TypeScript SDK)", "Elixir".
QString languageName(SnippetLanguage language);

// The HTTP base of the server `transport` talks to (an HttpTransport's base URL, an
// SdkTransport's WebSocket URL turned back into http[s]), or an invalid URL.
QUrl serverUrlOf(const Transport *transport);

// The REST URL of the entry at `path` (each rendered segment percent-encoded on its own).
QString entryUrl(const QUrl &server, const QString &store, const Path &path);
// The WebSocket endpoint the SDKs take: ws[s]://host[:port][/prefix]/ws/sync.
QString socketUrl(const QUrl &server);
// `text` as one POSIX shell word in single quotes.
QString shellQuote(QStringView text);
// `value` as an Elixir term: maps with string keys, lists, strings, numbers, true/false/nil.
QString elixirTerm(const QJsonValue &value);
// `value` as compact JSON text (also a valid JavaScript expression).
QString jsonText(const QJsonValue &value);

} // namespace codesnippets
} // namespace dust
