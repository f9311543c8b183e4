#pragma once

#include "protocol/Path.h"

#include <QDockWidget>
#include <QString>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QModelIndex;
class QPushButton;

namespace dust {

class SdkTransport;
class SearchResultsModel;
class TypeFilterButton;
class ValueSearch;
struct SearchQuery;

// Search inside values (Ctrl+Shift+F): a dock (objectName "searchDock", for saveState())
// with the query (text or regular expression, match case), where to look (the whole store,
// the selected node, or a path or glob typed in), the types searched, Search and Cancel, a
// count ("1,234 matches in 1,000,000 values, 0.8 s") and the results as they are found, each
// with its path, type and the match highlighted in an excerpt. Clicking a result, or Enter on
// it, emits pathActivated(). Over a store open over REST only it says that search needs the
// live mirror, and its controls are disabled. The results follow live changes (ValueSearch).
class SearchDock : public QDockWidget
{
    Q_OBJECT
public:
    enum ScopeMode { WholeStore = 0, SelectedNode = 1, PathOrGlob = 2 };

    explicit SearchDock(QWidget *parent = nullptr);
    ~SearchDock() override;

    // The store searched: `live` is its live transport, null over REST only (search is then
    // unavailable and says why). Not owned; call again with null before it goes away.
    // Cancels a running search and clears the results.
    void setSource(SdkTransport *live, const QString &store);
    // The node the "Selected node" scope searches (the tree's current path; invalid: none).
    void setScope(const Path &node);
    // Shows the dock's query field focused and its text selected (the Ctrl+Shift+F action).
    void focusQuery();

    // Parts, for tests and the window.
    ValueSearch *search() const { return m_search; }
    SearchResultsModel *results() const { return m_results; }
    QLineEdit *queryEdit() const { return m_query; }
    QCheckBox *regexBox() const { return m_regex; }
    QCheckBox *caseBox() const { return m_case; }
    QComboBox *scopeBox() const { return m_scopeMode; }
    QLineEdit *scopeEdit() const { return m_scope; }
    TypeFilterButton *typeButton() const { return m_types; }
    QPushButton *searchButton() const { return m_searchButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QListView *resultsView() const { return m_view; }
    // The count line; a problem with the query or the search (empty when none); the notice
    // shown over REST only (empty when search is available).
    QString statusText() const;
    QString problemText() const;
    QString unavailableText() const;

public slots:
    // Runs the search the controls describe (as Search or Enter does).
    void startSearch();
    void cancelSearch();

signals:
    void pathActivated(const dust::Path &path);

private:
    void buildForm(QWidget *body);
    bool queryFromForm(SearchQuery &query);
    void showProblem(const QString &text);
    void updateStatus();
    void updateAvailability();
    void onScopeModeChanged(int mode);
    void activate(const QModelIndex &index);
    bool eventFilter(QObject *watched, QEvent *event) override;

    SearchResultsModel *m_results;
    ValueSearch *m_search;
    Path m_node;
    QString m_store;
    bool m_available = false;

    QLineEdit *m_query = nullptr;
    QCheckBox *m_regex = nullptr;
    QCheckBox *m_case = nullptr;
    QComboBox *m_scopeMode = nullptr;
    QLineEdit *m_scope = nullptr;
    TypeFilterButton *m_types = nullptr;
    QPushButton *m_searchButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_unavailable = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_status = nullptr;
    QListView *m_view = nullptr;
    QWidget *m_form = nullptr;
};

} // namespace dust
