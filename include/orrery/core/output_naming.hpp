#pragma once
// Output naming (stpipe's rule, useful to any chain of steps that writes files):
// strip one known suffix from the input's basename, then
// "<root>[_<components>]_<suffix><ext>" in output_dir, so chaining steps through
// files replaces the suffix instead of accumulating it.
//
// Which suffixes are known: a layer may declare the complete list for its package
// (jwst does: its own list, steps it has and orrery does not included), used for the
// steps whose class is in that package; other steps strip the names of every
// registered step (alias and lower-cased class name, added on registration).

#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

namespace detail {
struct SuffixSets {
    std::mutex mutex;
    std::set<std::string, std::less<>> registered;                             // every registered step's names
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> declared;  // package -> its complete list
};
inline SuffixSets& known_suffix_sets() {
    static SuffixSets s;
    return s;
}
}  // namespace detail

/// "jwst" from "jwst.jump.JumpStep"; "" for a class name without a package.
inline std::string_view class_package(std::string_view class_name) {
    const auto dot = class_name.find('.');
    return dot == std::string_view::npos ? std::string_view{} : class_name.substr(0, dot);
}

/// "JumpStep" from "jwst.jump.JumpStep": the name stpipe gives an instance no file names.
inline std::string_view class_leaf(std::string_view class_name) {
    const auto dot = class_name.rfind('.');
    return dot == std::string_view::npos ? class_name : class_name.substr(dot + 1);
}

/// stpipe's default suffix: the instance name lower-cased ("JumpStep" -> "jumpstep").
inline std::string default_suffix(std::string_view instance_name) {
    std::string s(instance_name);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Register a suffix that remove_known_suffix() strips (registrars call this for every
/// step's alias and lower-cased class name).
inline void add_known_suffix(std::string_view suffix) {
    auto& s = detail::known_suffix_sets();
    std::lock_guard lock(s.mutex);
    s.registered.emplace(suffix);
}

/// The suffixes a registered step's saved products may carry: its alias (inside a pipeline)
/// and its class name lower-cased (run on its own), so a file it wrote loses it when read back.
inline void add_step_suffixes(std::string_view alias, std::string_view class_name) {
    add_known_suffix(alias);
    add_known_suffix(default_suffix(class_leaf(class_name)));
}

/// Declare the complete list of suffixes stripped for the steps of `package` (added to
/// any list declared before for it). Registered step names are then not used for it.
inline void declare_known_suffixes(std::string_view package, std::span<const std::string_view> suffixes) {
    auto& s = detail::known_suffix_sets();
    std::lock_guard lock(s.mutex);
    auto& list = s.declared[std::string(package)];
    for (auto x : suffixes) list.emplace(x);
}

/// Known for the steps of `package`: its declared list if it has one, else the registered
/// step names. With no package: any of them.
inline bool is_known_suffix(std::string_view suffix, std::string_view package = {}) {
    auto& s = detail::known_suffix_sets();
    std::lock_guard lock(s.mutex);
    if (!package.empty()) {
        if (auto it = s.declared.find(package); it != s.declared.end()) return it->second.count(suffix) != 0;
        return s.registered.count(suffix) != 0;
    }
    if (s.registered.count(suffix)) return true;
    for (const auto& [name, list] : s.declared)
        if (list.count(suffix)) return true;
    return false;
}

struct SplitName {
    std::string root;
    std::string separator = "_";
};

/// "jw01_nrca1_uncal" -> {"jw01_nrca1", "_"}. As jwst's remove_suffix regex
/// (^(?P<root>.+?)((?P<sep>_|-)(KNOWN))?$): the shortest root whose remainder is
/// one separator plus one known suffix, so "x_dark_current" -> "x"; stripped once.
inline SplitName remove_known_suffix(std::string_view stem, std::string_view package = {}) {
    for (auto pos = stem.find_first_of("_-", 1); pos != std::string_view::npos; pos = stem.find_first_of("_-", pos + 1))
        if (is_known_suffix(stem.substr(pos + 1), package)) return {std::string(stem.substr(0, pos)), std::string(1, stem[pos])};
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
    /// The component naming result `i` of a step's several results ("0", "1"): none when the
    /// name comes from the product itself (stpipe drops the index then).
    [[nodiscard]] std::vector<std::string> index(std::size_t i) const {
        if (!use_index_) return {};
        return {std::to_string(i)};
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] const std::string& root() const { return root_; }
    [[nodiscard]] const std::string& ext() const { return ext_; }
    void set_use_index(bool on) { use_index_ = on; }

private:
    std::filesystem::path dir_;
    std::string root_ = "step";
    std::string sep_ = "_";
    std::string ext_;
    bool use_index_ = true;
};

/// output_ext (".fits", or "fits") if set, else the extension of `base`; with its leading dot.
inline std::string output_extension(const std::string& output_ext, const std::filesystem::path& base) {
    std::string ext = output_ext.empty() ? base.extension().string() : output_ext;
    if (!ext.empty() && ext[0] != '.') ext = "." + ext;
    return ext;
}

/// output_dir with "~" and "$VAR" expanded; empty (the current directory) if unset.
inline std::filesystem::path output_directory(const std::string& output_dir) {
    return output_dir.empty() ? std::filesystem::path{} : std::filesystem::path(expand_user_vars(output_dir));
}

/// The stpipe rule: output_file (basename only) > the input file name > "step_<name>",
/// less one suffix known for `package`'s steps; the extension is output_ext or the file's.
inline OutputNamer make_output_namer(const std::string& output_file, const std::string& input_filename,
                                     const std::string& output_dir, const std::string& output_ext,
                                     const std::string& name, std::string_view package = {}) {
    std::string base;
    if (!output_file.empty())
        base = std::filesystem::path(output_file).filename().string();
    else if (!input_filename.empty())
        base = std::filesystem::path(input_filename).filename().string();
    else
        base = "step_" + name;
    std::filesystem::path p(base);
    const std::string ext = output_extension(output_ext, p);
    const auto split = remove_known_suffix(p.stem().string(), package);
    return OutputNamer(output_directory(output_dir), split.root, split.separator, ext);
}

}  // namespace orrery
