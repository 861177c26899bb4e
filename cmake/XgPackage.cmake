# Install rules and the Debian package (CPack's DEB generator).
#   cmake --install build [--prefix DIR] [--strip]
#   cmake --build build --target package
#     ->  build/xgotop-tui_<version>-<revision>_amd64.deb
# The package is what the build is: configure with XG_STATIC=ON (the default)
# so that it depends on libc6 alone (dpkg-shlibdeps computes the bound).
find_program(GZIP gzip REQUIRED)
set(XG_DIST ${CMAKE_BINARY_DIR}/dist)
file(MAKE_DIRECTORY ${XG_DIST})

# gzip -9n: best compression and no name or time stamp, as Debian policy asks
# of man pages and changelogs (the same input gives the same bytes).
function(xg_gzip in out)
	add_custom_command(OUTPUT ${out}
		COMMAND ${GZIP} -9n -c ${in} > ${out}
		DEPENDS ${in}
		COMMENT "gzip ${out}")
endfunction()
xg_gzip(${CMAKE_SOURCE_DIR}/docs/xgotop-tui.1 ${XG_DIST}/xgotop-tui.1.gz)
xg_gzip(${CMAKE_SOURCE_DIR}/dist/changelog ${XG_DIST}/changelog.Debian.gz)
add_custom_target(xg_dist ALL DEPENDS ${XG_DIST}/xgotop-tui.1.gz ${XG_DIST}/changelog.Debian.gz)

include(GNUInstallDirs)
install(TARGETS xgotop-tui DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${XG_DIST}/xgotop-tui.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${XG_DIST}/changelog.Debian.gz ${CMAKE_SOURCE_DIR}/dist/copyright
	DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/xgotop-tui)
# Static linking is the point of this package: lintian is told so (the file says why).
install(FILES ${CMAKE_SOURCE_DIR}/dist/lintian-overrides
	DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME xgotop-tui)

# Debian's architecture names.
if(XG_BPF_ARCH STREQUAL x86)
	set(XG_DEB_ARCH amd64)
else()
	set(XG_DEB_ARCH arm64)
endif()
set(XG_DEB_MAINTAINER
	"xgotop-tui maintainers <maintainers@users.noreply.b-seed-0e8fc037.example>"
	CACHE STRING "The Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xgotop-tui)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# A Debian revision: the package of an upstream release, whose changelog is
# changelog.Debian.gz (dist/changelog: its first entry names this version).
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "terminal UI that traces the goroutines of a running Go program")
# CPack writes the summary as the first line of Description, then this.
set(CPACK_PACKAGE_DESCRIPTION "xgotop-tui attaches eBPF uprobes to a running Go program (or one it
starts) and shows its goroutines live: states, lifetimes, allocations,
garbage collections, stacks. It records sessions and replays them without
root.

This build is self-contained: libbpf, libelf, libdw, zlib, libzstd and
ncurses are linked in, and common terminal descriptions are built in.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${XG_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${XG_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
