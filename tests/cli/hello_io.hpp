#pragma once
// Text-file I/O for the hello example's data types, so that the command line
// can run the hello steps and pipeline on files:
//   std::string        <- a text file (input), -> <root>_<suffix>.txt
//   hello::Tokens      -> one word per line
//   hello::WordCounts  -> "word count" lines
// This header includes hello_steps.hpp itself, after the specialisations, since
// product_traits must be specialised before the registrations use them. Products are written atomically (temporary + rename);
// the jwst-style default extension ".fits" is replaced by ".txt".

#include "orrery/core/errors.hpp"
#include "orrery/core/events.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/product.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace hello {
struct Tokens;
struct WordCounts;
}  // namespace hello

namespace orrery::hello_io {

inline std::filesystem::path text_path(const OutputNamer& namer, std::string_view suffix) {
    auto p = namer.path(suffix);
    if (p.extension() == ".fits" || p.extension().empty()) p.replace_extension(".txt");
    return p;
}

inline std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const auto tmp = std::filesystem::path(path.string() + ".part");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw InputError("output file " + path.string() + ": cannot be written");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw InputError("output file " + path.string() + ": cannot be written (" + ec.message() + ")");
    return path;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw InputError("input file " + path.string() + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw InputError("input file " + path.string() + ": is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("input file " + path.string() + ": cannot be read (" + std::strerror(errno) + ")");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace orrery::hello_io

template <>
struct orrery::product_traits<std::string> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = true;
    static std::string load(const std::filesystem::path& p) { return hello_io::read_text(p); }
    static std::vector<std::filesystem::path> save(const std::string& text, const OutputNamer& namer, std::string_view suffix) {
        return {hello_io::write_text(hello_io::text_path(namer, suffix), text)};
    }
    static void record_status(std::string&, std::string_view, StepStatus) {}
    static void record_reference(std::string&, std::string_view, std::string_view) {}
    static std::string filename(const std::string&) { return {}; }
};

template <>
struct orrery::product_traits<hello::Tokens> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = false;
    static std::vector<std::filesystem::path> save(const hello::Tokens& t, const OutputNamer& namer, std::string_view suffix);
    static void record_status(hello::Tokens&, std::string_view, StepStatus) {}
    static void record_reference(hello::Tokens&, std::string_view, std::string_view) {}
    static std::string filename(const hello::Tokens&) { return {}; }
};

template <>
struct orrery::product_traits<hello::WordCounts> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = false;
    static std::vector<std::filesystem::path> save(const hello::WordCounts& c, const OutputNamer& namer, std::string_view suffix);
    static void record_status(hello::WordCounts&, std::string_view, StepStatus) {}
    static void record_reference(hello::WordCounts&, std::string_view, std::string_view) {}
    static std::string filename(const hello::WordCounts&) { return {}; }
};

#include "hello_pipeline/hello_steps.hpp"

inline std::vector<std::filesystem::path> orrery::product_traits<hello::Tokens>::save(const hello::Tokens& t, const OutputNamer& namer,
                                                                                      std::string_view suffix) {
    std::string text;
    for (const auto& w : t.words) text += w + "\n";
    return {hello_io::write_text(hello_io::text_path(namer, suffix), text)};
}

inline std::vector<std::filesystem::path> orrery::product_traits<hello::WordCounts>::save(const hello::WordCounts& c,
                                                                                          const OutputNamer& namer, std::string_view suffix) {
    std::string text;
    for (const auto& [word, n] : c.counts) text += word + " " + std::to_string(n) + "\n";
    return {hello_io::write_text(hello_io::text_path(namer, suffix), text)};
}
