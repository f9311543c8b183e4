# Windows: dust-browser.exe and dustlite.exe in bin\ with the icon and version of the project,
# their Qt DLLs and plugins copied beside them by windeployqt when they are installed, the
# other DLLs they load (QtKeychain, QScintilla, simdjson, the compiler's runtime) found by
# CMake, and an NSIS installer (Start menu entry, uninstaller, optional PATH entry) plus a ZIP
# from CPack. Written for MSVC with Qt 6.4 from qt.io and the other libraries from vcpkg; NOT
# built or tested in this project's CI (installer/README.md).
set(DUST_WINDOWS_DLL_DIRS "" CACHE PATH
    "Directories holding the non-Qt DLLs (QtKeychain, QScintilla, simdjson), e.g. vcpkg's bin")

# The executable's icon and version resource.
configure_file(${CMAKE_CURRENT_LIST_DIR}/dust-browser.rc.in
    ${CMAKE_CURRENT_BINARY_DIR}/dust-browser.rc @ONLY)
target_sources(dust-browser PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/dust-browser.rc)

# The compiler's runtime DLLs (MSVC's vcruntime, msvcp) into bin\.
set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${CMAKE_INSTALL_BINDIR})
include(InstallRequiredSystemLibraries)

find_program(DUST_WINDEPLOYQT windeployqt
    HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)
install(CODE "
    set(bin \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
    foreach(exe dust-browser.exe dustlite.exe)
        execute_process(COMMAND \"${DUST_WINDEPLOYQT}\" --release --no-translations
                --no-compiler-runtime --dir \"\${bin}\" \"\${bin}/\${exe}\"
            COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
    # The DLLs that are not Qt's: whatever the executables import from outside Windows.
    file(GET_RUNTIME_DEPENDENCIES
        EXECUTABLES \"\${bin}/dust-browser.exe\" \"\${bin}/dustlite.exe\"
        RESOLVED_DEPENDENCIES_VAR found UNRESOLVED_DEPENDENCIES_VAR missing
        DIRECTORIES ${DUST_WINDOWS_DLL_DIRS} \"\${bin}\"
        PRE_EXCLUDE_REGEXES \"^api-ms-\" \"^ext-ms-\"
        POST_EXCLUDE_REGEXES \"[Ss]ystem32\" \"[Ww]in[Ss]x[Ss]\")
    if(missing)
        message(FATAL_ERROR \"DLLs not found (set DUST_WINDOWS_DLL_DIRS): \${missing}\")
    endif()
    foreach(dll IN LISTS found)
        get_filename_component(dir \"\${dll}\" DIRECTORY)
        if(NOT dir STREQUAL bin)
            file(INSTALL \"\${dll}\" DESTINATION \"\${bin}\")
        endif()
    endforeach()
")

set(CPACK_GENERATOR NSIS ZIP)
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Dust Browser")
# A Start menu entry "Dust Browser" for bin\dust-browser.exe.
set(CPACK_PACKAGE_EXECUTABLES dust-browser "Dust Browser")
set(CPACK_NSIS_DISPLAY_NAME "Dust Browser ${PROJECT_VERSION}")
set(CPACK_NSIS_PACKAGE_NAME "Dust Browser")
set(CPACK_NSIS_MUI_ICON ${PROJECT_SOURCE_DIR}/resources/icons/dust-browser.ico)
set(CPACK_NSIS_MUI_UNIICON ${PROJECT_SOURCE_DIR}/resources/icons/dust-browser.ico)
set(CPACK_NSIS_INSTALLED_ICON_NAME "${CMAKE_INSTALL_BINDIR}\\\\dust-browser.exe")
set(CPACK_NSIS_URL_INFO_ABOUT ${PROJECT_HOMEPAGE_URL})
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
# Offers to put bin\ on the PATH, for `dust-browser export|import` and dustlite in a terminal.
set(CPACK_NSIS_MODIFY_PATH ON)
