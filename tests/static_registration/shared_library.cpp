// The own translation unit of roster_sr_codecs_shared (CMake needs one):
// everything else in that shared library is roster_sr_codecs, linked whole.
namespace sr_fixture {
int shared_library_marker() { return 1; }
} // namespace sr_fixture
