# What `cmake --install` puts where (GNU layout; /usr/local by default, /usr
# in the .deb): the kvmscope binary, its man pages (compressed), and the
# docs: the README, the results file schema, the LAVA test definition, and
# the copyright (license) and changelog files Debian policy asks for.
install(TARGETS kvmscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${KVMSCOPE_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# kvmscope(1) points readers of results files here
install(FILES ${CMAKE_SOURCE_DIR}/results/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME results-schema.md)
install(FILES ${CMAKE_SOURCE_DIR}/lava/kvmscope.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/lava)
# for reading, like the definition: LAVA runs it from the test repository
install(FILES ${CMAKE_SOURCE_DIR}/lava/kvmscope-lava.sh
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/lava)
# Debian's copyright (DEP-5, with LICENSE's text) and changelog.gz
include(${CMAKE_CURRENT_LIST_DIR}/debian-doc.cmake)
