# macOS: "Dust Browser.app" (app/CMakeLists.txt makes dust-browser a bundle; server/ installs
# dustlite inside it), its Qt frameworks and plugins copied in by macdeployqt when it is
# installed, and a DMG with an Applications link from CPack's DragNDrop generator.
# Written for Qt 6.4 from qt.io or Homebrew with QtKeychain and QScintilla built for it; NOT
# built or tested in this project's CI (installer/README.md).
set_target_properties(dust-browser PROPERTIES
    MACOSX_BUNDLE_INFO_PLIST ${CMAKE_CURRENT_LIST_DIR}/Info.plist.in
    MACOSX_BUNDLE_GUI_IDENTIFIER ${DUST_APP_ID}
    MACOSX_BUNDLE_BUNDLE_NAME "Dust Browser"
    MACOSX_BUNDLE_BUNDLE_VERSION ${PROJECT_VERSION}
    MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
    MACOSX_BUNDLE_ICON_FILE DustBrowser.icns)

# The bundle's icon, made from the committed PNG sizes by iconutil (part of Xcode).
set(iconset ${CMAKE_CURRENT_BINARY_DIR}/DustBrowser.iconset)
set(icns ${CMAKE_CURRENT_BINARY_DIR}/DustBrowser.icns)
set(png ${PROJECT_SOURCE_DIR}/resources/icons/hicolor)
set(copies)
foreach(pair 16:16x16 32:16x16@2x 32:32x32 64:32x32@2x 128:128x128 256:128x128@2x 256:256x256)
    string(REPLACE ":" ";" pair ${pair})
    list(GET pair 0 size)
    list(GET pair 1 name)
    list(APPEND copies COMMAND ${CMAKE_COMMAND} -E copy
        ${png}/${size}x${size}/apps/${DUST_APP_ID}.png ${iconset}/icon_${name}.png)
endforeach()
add_custom_command(OUTPUT ${icns}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${iconset}
    ${copies}
    COMMAND iconutil -c icns -o ${icns} ${iconset}
    DEPENDS ${png}/256x256/apps/${DUST_APP_ID}.png
    VERBATIM)
add_custom_target(dust_icns ALL DEPENDS ${icns})
install(FILES ${icns} DESTINATION "Dust Browser.app/Contents/Resources")

# macdeployqt copies Qt's frameworks and plugins (and the libraries they need, QtKeychain and
# QScintilla included) into the bundle and rewrites the install names, for both executables.
find_program(DUST_MACDEPLOYQT macdeployqt
    HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)
install(CODE "
    set(app \"\${CMAKE_INSTALL_PREFIX}/Dust Browser.app\")
    execute_process(COMMAND \"${DUST_MACDEPLOYQT}\" \"\${app}\"
            \"-executable=\${app}/Contents/MacOS/dustlite\" -always-overwrite
        COMMAND_ERROR_IS_FATAL ANY)
")

set(CPACK_GENERATOR DragNDrop)
set(CPACK_DMG_VOLUME_NAME "Dust Browser ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT UDZO)
