#pragma once

#include <QPalette>
#include <QString>

class QApplication;

namespace dust {

// Light or dark. System follows the desktop: the palette the platform gave the application
// at start (and whatever it sends later); Light and Dark are Fusion palettes of our own, for
// desktops that do not say and for people who prefer one.
enum class ThemeChoice { System, Light, Dark };

namespace theme {

// "system", "light", "dark" and back; unknown text is System.
QString name(ThemeChoice choice);
ThemeChoice fromName(const QString &name);
// Applies `choice` to the application (style and palette). The platform's own palette is
// remembered the first time, so System can go back to it.
void apply(ThemeChoice choice);
// Whether `palette` is a dark one (its window darker than its text).
bool isDark(const QPalette &palette);
// The palettes Light and Dark use.
QPalette lightPalette();
QPalette darkPalette();

} // namespace theme
} // namespace dust
