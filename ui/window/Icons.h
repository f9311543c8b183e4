#pragma once

#include <QIcon>
#include <QPalette>
#include <QStringView>

namespace dust::icons {

// The project's icon `name` (resources/icons/<name>.svg), its strokes drawn in the palette's
// text colour (disabled: the disabled text colour), so it reads on light and dark palettes.
// Unknown names give a null icon.
QIcon themed(QStringView name, const QPalette &palette);
// The application's own icon, in colour.
QIcon application();

} // namespace dust::icons
