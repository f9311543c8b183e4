#include "RequestLine.h"

#include <QPointer>

namespace dust::lite {

void RequestLine::pump()
{
    while (!m_busy && !m_items.empty()) {
        Item item = std::move(m_items.front());
        m_items.pop_front();
        if (item.answer) {
            m_write(*item.answer, item.head);
            continue;
        }
        m_busy = true;
        QPointer<RequestLine> self(this);
        m_dispatch(item.request, [self, head = item.head](HttpResponse response) {
            if (!self)
                return; // the connection is gone
            self->m_busy = false;
            self->m_write(response, head);
            self->pump();
        });
    }
}

} // namespace dust::lite
