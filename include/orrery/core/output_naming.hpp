#pragma once
// Output naming (stpipe's rule, useful to any chain of steps that writes files):
// strip one known suffix (a step alias, or a product suffix a layer registers such
// as "_uncal") from the input's basename, then "<root>[_<components>]_<suffix><ext>"
// in output_dir, so chaining steps through files replaces the suffix instead of
// accumulating it. Layers add their product suffixes with add_known_suffix().

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

namespace detail {
struct SuffixSet {
    std::mutex mutex;
    std::set<std::string> names;
};
inline SuffixSet& known_suffix_set() {
    static SuffixSet s;
    return s;
}
}  // namespace detail

/// Register a suffix that remove_known_suffix() strips (registrars call this for every step alias).
inline void add_known_suffix(std::string_view suffix) {
    auto& s = detail::known_suffix_set();
    std::lock_guard lock(s.mutex);
    s.names.emplace(suffix);
}
inline bool is_known_suffix(std::string_view suffix) {
    auto& s = detail::known_suffix_set();
    std::lock_guard lock(s.mutex);
    return s.names.count(std::string(suffix)) != 0;
}

struct SplitName {
    std::string root;
    std::string separator = "_";
};

/// "jw01_nrca1_uncal" -> {"jw01_nrca1", "_"}. As jwst's remove_suffix regex
/// (^(?P<root>.+?)((?P<sep>_|-)(KNOWN))?$): the shortest root whose remainder is
/// one separator plus one known suffix, so "x_dark_current" -> "x"; stripped once.
inline SplitName remove_known_suffix(std::string_view stem) {
    for (auto pos = stem.find_first_of("_-", 1); pos != std::string_view::npos; pos = stem.find_first_of("_-", pos + 1))
        if (is_known_suffix(stem.substr(pos + 1))) return {std::string(stem.substr(0, pos)), std::string(1, stem[pos])};
    return {std::string(stem), "_"};
}

/// Expand "~" and "$VAR"/"${VAR}" like stpipe does for output_dir.
inline std::string expand_user_vars(std::string_view in) {
    std::string s(in);
    if (!s.empty() && s[0] == '~') {
        if (const char* home = std::getenv("HOME")) s = std::string(home) + s.substr(1);
    }
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '$') {
            out += s[i];
            continue;
        }
        std::size_t j = i + 1;
        const bool braced = j < s.size() && s[j] == '{';
        if (braced) ++j;
        std::size_t k = j;
        while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_')) ++k;
        const std::string name = s.substr(j, k - j);
        if (braced && k < s.size() && s[k] == '}') ++k;
        const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
        out += v ? std::string(v) : s.substr(i, k - i);
        i = k - 1;
    }
    return out;
}

/// Builds output paths for one step.
class OutputNamer {
public:
    OutputNamer() = default;
    OutputNamer(std::filesystem::path dir, std::string root, std::string separator, std::string ext)
        : dir_(std::move(dir)), root_(std::move(root)), sep_(std::move(separator)), ext_(std::move(ext)) {}

    /// "<dir>/<root>[_c1_c2]<sep><suffix><ext>"; an empty suffix gives "<root><ext>".
    [[nodiscard]] std::filesystem::path path(std::string_view suffix, const std::vector<std::string>& components = {}) const {
        std::string name = root_;
        for (const auto& c : components) name += "_" + c;
        if (!suffix.empty()) name += sep_ + std::string(suffix);
        name += ext_;
        return dir_.empty() ? std::filesystem::path(name) : dir_ / name;
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] const std::string& root() const { return root_; }
    [[nodiscard]] const std::string& ext() const { return ext_; }

private:
    std::filesystem::path dir_;
    std::string root_ = "step";
    std::string sep_ = "_";
    std::string ext_;
};

/// The stpipe rule: output_file (basename only) > the input file name > "step_<alias>".
inline OutputNamer make_output_namer(const std::string& output_file, const std::string& input_filename,
                                     const std::string& output_dir, const std::string& output_ext,
                                     const std::string& alias) {
    std::string base;
    if (!output_file.empty())
        base = std::filesystem::path(output_file).filename().string();
    else if (!input_filename.empty())
        base = std::filesystem::path(input_filename).filename().string();
    else
        base = "step_" + alias;
    std::filesystem::path p(base);
    std::string ext = output_ext.empty() ? p.extension().string() : output_ext;
    if (!ext.empty() && ext[0] != '.') ext = "." + ext;
    const auto split = remove_known_suffix(p.stem().string());
    std::filesystem::path dir = output_dir.empty() ? std::filesystem::path{} : std::filesystem::path(expand_user_vars(output_dir));
    return OutputNamer(dir, split.root, split.separator, ext);
}

}  // namespace orrery
