# XG_STATIC: the libraries found by pkg-config (libbpf, libelf, libdw, zlib,
# libzstd, ncursesw and what they need: tinfo, bz2, lzma) are linked from
# their static archives; glibc (libc, libm, libpthread, libdl, librt) stays
# dynamic. A binary built so runs on any x86-64 Linux with a glibc at least as
# new as the build host's (docs: README.md, "Install on a server").
#
# xg_static_link(PREFIX...): the imported target PkgConfig::<PREFIX> that
# pkg_check_modules made (IMPORTED_TARGET) now links the archives that
# `pkg-config --static --libs` names for it, in place of the shared objects.
# Each archive is one IMPORTED STATIC target that depends on the archives
# listed after it, so CMake orders (and repeats) them as the linker needs.

# glibc's parts: linked as -l<name>, dynamically, whatever XG_STATIC says.
set(XG_STATIC_GLIBC pthread dl m rt)

# The imported target of lib<name>.a, made once; fails naming the archive.
function(xg_static_archive name dirs)
	if(TARGET xg_static::${name})
		return()
	endif()
	find_library(XG_STATIC_LIB_${name} NAMES lib${name}.a HINTS ${dirs})
	if(NOT XG_STATIC_LIB_${name})
		message(FATAL_ERROR "XG_STATIC: no lib${name}.a: install the -dev package "
			"that ships it (bootstrap.sh lists them), or configure with -DXG_STATIC=OFF")
	endif()
	add_library(xg_static::${name} STATIC IMPORTED)
	set_target_properties(xg_static::${name} PROPERTIES
		IMPORTED_LOCATION ${XG_STATIC_LIB_${name}})
endfunction()

function(xg_static_link)
	foreach(prefix ${ARGN})
		set(libs ${${prefix}_STATIC_LIBRARIES})
		set(dirs ${${prefix}_STATIC_LIBRARY_DIRS})
		list(REMOVE_DUPLICATES libs)
		set(deps)
		foreach(name ${libs})
			if(name IN_LIST XG_STATIC_GLIBC)
				list(APPEND deps ${name})
			else()
				xg_static_archive(${name} "${dirs}")
				list(APPEND deps xg_static::${name})
			endif()
		endforeach()
		# The first is the package's own library; the rest are what it needs.
		list(POP_FRONT deps main)
		if(deps)
			set_property(TARGET ${main} APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${deps})
		endif()
		set_property(TARGET PkgConfig::${prefix} PROPERTY INTERFACE_LINK_LIBRARIES ${main})
	endforeach()
endfunction()
