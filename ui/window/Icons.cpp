#include "Icons.h"

#include <QFile>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

// A resource compiled into a static library is registered by hand, once.
static void initIconResource()
{
    Q_INIT_RESOURCE(icons);
}

namespace dust::icons {

namespace {

void ensureResource()
{
    static const bool done = [] {
        initIconResource();
        return true;
    }();
    Q_UNUSED(done);
}

QPixmap render(const QByteArray &svg, int size, qreal dpr)
{
    QSvgRenderer renderer(svg);
    QPixmap pixmap(QSize(size, size) * dpr);
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    renderer.render(&painter, QRectF(0, 0, size, size));
    return pixmap;
}

} // namespace

QIcon themed(QStringView name, const QPalette &palette)
{
    ensureResource();
    QFile file(QStringLiteral(":/icons/%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray svg = file.readAll();
    QIcon icon;
    const auto tinted = [&svg](const QColor &color) {
        QByteArray copy = svg;
        return copy.replace("#000000", color.name(QColor::HexRgb).toLatin1());
    };
    const QByteArray normal = tinted(palette.color(QPalette::Active, QPalette::WindowText));
    const QByteArray disabled = tinted(palette.color(QPalette::Disabled, QPalette::WindowText));
    for (const int size : {16, 22, 24, 32, 48}) {
        icon.addPixmap(render(normal, size, 2.0), QIcon::Normal);
        icon.addPixmap(render(disabled, size, 2.0), QIcon::Disabled);
    }
    return icon;
}

QIcon application()
{
    ensureResource();
    QIcon icon;
    QFile file(QStringLiteral(":/icons/dust-browser.svg"));
    if (!file.open(QIODevice::ReadOnly))
        return icon;
    const QByteArray svg = file.readAll();
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(render(svg, size, 1.0));
    return icon;
}

} // namespace dust::icons
