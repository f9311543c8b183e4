#include "HttpResponse.h"

namespace dust {

bool HttpResponse::succeeded() const
{
    return status >= 200 && status < 300 && networkError == QNetworkReply::NoError && !tooLarge &&
           !cancelled && !closing;
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace dust
