// tests/libmagic/classify.cpp — classifies files by their first bytes with a
// roster::sniffing_registry holding the magic numbers of common formats, for
// tests/libmagic/compare.py to compare with libmagic (`file --mime-type`).
//
// Usage: sniff_classify LIST   (LIST: one path a line)
// Prints one line per path, in order: the format name, or "-" when no
// format matched, or "!" when the file could not be opened. Each file is
// sniffed through match(std::istream&), which peeks required_peek() bytes
// and puts them back; the program checks that the stream is still at its
// start afterwards and exits 2 if it ever is not.
//
// The magic numbers are the formats' own, as their specifications define
// them and as file(1)'s magic database (https://github.com/file/file,
// magic/Magdir) lists them; docs/sniffing.md has the table.
#include "roster/sniffing.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

using format_registry = roster::sniffing_registry<const char*>;

void register_formats(format_registry& formats) {
    // images
    formats.add("png", "\\x89PNG\\r\\n\\x1a\\n", "image/png");
    formats.add("jpeg", "\\xff\\xd8\\xff", "image/jpeg");
    formats.add("gif", {"GIF87a", "GIF89a"}, "image/gif");
    formats.add("webp", "RIFF????WEBP", "image/webp");
    formats.add("bmp", "BM????\\0\\0\\0\\0", "image/bmp"); // the reserved words are zero
    formats.add("tiff", {"II*\\0", "MM\\0*"}, "image/tiff");
    // archives and compressors
    formats.add("gzip", "\\x1f\\x8b", "application/gzip");
    formats.add("zip", {"PK\\x03\\x04", "PK\\x05\\x06"}, "application/zip");
    {
        // "BZh" then the block size, '1' to '9': the high nibble 0x3 fixed, the low one free
        const std::byte bytes[] = {std::byte{'B'}, std::byte{'Z'}, std::byte{'h'}, std::byte{0x30}};
        const std::byte mask[] = {std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xf0}};
        formats.add("bzip2", roster::magic_pattern(0, bytes, mask), "application/x-bzip2");
    }
    formats.add("xz", "\\xfd" "7zXZ\\0", "application/x-xz");
    formats.add("zstd", "\\x28\\xb5\\x2f\\xfd", "application/zstd");
    formats.add("7z", "7z\\xbc\\xaf\\x27\\x1c", "application/x-7z-compressed");
    formats.add("tar", roster::magic_pattern(257, "ustar"), "application/x-tar");
    // documents, programs, data
    formats.add("pdf", "%PDF-", "application/pdf");
    formats.add("elf", "\\x7f" "ELF", "application/x-executable");
    formats.add("wasm", "\\0asm", "application/wasm");
    formats.add("sqlite", "SQLite format 3\\0", "application/vnd.sqlite3");
    formats.add("gettext", {"\\xde\\x12\\x04\\x95", "\\x95\\x04\\x12\\xde"}, "application/x-gettext-translation");
    // audio and video
    formats.add("ogg", "OggS", "audio/ogg");
    formats.add("wav", "RIFF????WAVE", "audio/x-wav");
    formats.add("flac", "fLaC", "audio/flac");
    formats.add("mp3", "ID3", "audio/mpeg");
    formats.freeze();
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s LIST\n", argv[0]);
        return 64;
    }
    format_registry formats("libmagic.peer");
    register_formats(formats);
    std::ifstream list(argv[1]);
    if (!list) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 66;
    }
    std::string path;
    int moved = 0;
    while (std::getline(list, path)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cout << "!\n";
            continue;
        }
        const auto m = formats.match(in);
        if (!in.good() || in.tellg() != std::streampos(0)) {
            std::fprintf(stderr, "stream moved or failed after sniffing %s\n", path.c_str());
            ++moved;
        }
        std::cout << (m ? std::string(m.name()) : std::string("-")) << '\n';
    }
    return moved == 0 ? 0 : 2;
}
