#pragma once

#include <QApplication>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>

namespace dust::test {

// Runs `act` on the first T that becomes the active modal widget (a dialog opened with
// exec() from an event handler, whose nested loop a QTRY in the test cannot see through),
// checking again on each timer turn. Stops after `act` ran or `receiver` died.
template <typename T> void whenModal(QObject *receiver, std::function<void(T *)> act)
{
    auto *timer = new QTimer(receiver);
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, receiver, [timer, act = std::move(act)] {
        if (auto *dialog = qobject_cast<T *>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(dialog);
        }
    });
    timer->start();
}

} // namespace dust::test
