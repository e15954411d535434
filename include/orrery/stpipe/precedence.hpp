#pragma once
// The one merged parameter tree of a run, lowest to highest precedence
// (stpipe order, src/stpipe/_cmdline.py and pipeline.py; docs/cli.md "Parameter precedence"):
//
//   1. code defaults                       (the step itself: nothing to merge)
//   2. parameter reference files found in the reference directory:
//        for a pipeline, pars-<child class> of each child, placed under
//        steps.<alias>; then pars-<pipeline class> merged over them;
//        for a step, its own pars-<class>;
//   3. the user's parameter file (strun's first positional), includes resolved;
//   4. the command line (--param=value, --steps.<alias>.<param>=value).
//
// A parameter reference file for class "jwst.jump.JumpStep" has the reftype
// "pars-jumpstep" and is found in the reference directory as
// pars-jumpstep.asdf (or .cfg), or else under a CRDS-style name such as
// jwst_nircam_pars-jumpstep_0042.asdf (the lexicographically last one wins).

#include "orrery/core/any_step.hpp"
#include "orrery/stpipe/param_file.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/param_tree.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::stpipe {

/// "jwst.jump.JumpStep" -> "pars-jumpstep".
inline std::string pars_reftype(std::string_view class_name) {
    auto dot = class_name.rfind('.');
    std::string s = "pars-" + std::string(dot == std::string_view::npos ? class_name : class_name.substr(dot + 1));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

namespace detail {
/// "<anything>_pars-x" or "pars-x", optionally followed by "_<digits>".
inline bool crds_pars_name(std::string stem, const std::string& reftype) {
    for (auto& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t p = stem.find(reftype); p != std::string::npos; p = stem.find(reftype, p + 1)) {
        if (p != 0 && stem[p - 1] != '_') continue;
        const std::string rest = stem.substr(p + reftype.size());
        if (rest.empty()) return true;
        if (rest.size() > 1 && rest[0] == '_' &&
            std::all_of(rest.begin() + 1, rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
            return true;
    }
    return false;
}
}  // namespace detail

/// The parameter reference file for a class in `dir`, if any.
inline std::optional<std::filesystem::path> find_pars_file(const std::filesystem::path& dir, std::string_view class_name) {
    const std::string reftype = pars_reftype(class_name);
    std::error_code ec;
    for (const char* ext : {".asdf", ".cfg"}) {
        auto p = dir / (reftype + ext);
        if (std::filesystem::is_regular_file(p, ec)) return p;
    }
    std::vector<std::filesystem::path> matches;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto& p = it->path();
        std::string ext = p.extension().string();
        for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (ext == ".asdf" && detail::crds_pars_name(p.stem().string(), reftype) && it->is_regular_file(ec)) matches.push_back(p);
    }
    if (matches.empty()) return std::nullopt;
    std::sort(matches.begin(), matches.end());
    return matches.back();
}

/// A parameter file's tree without its identity keys.
inline ParamNode parameters_only(ParamNode tree) {
    tree.erase("class");
    tree.erase("name");
    return tree;
}

/// Layer 2: the parameter reference files in `dir` for `step` (see the header comment).
/// `used` receives the files read, lowest precedence first.
inline ParamNode reference_parameters(const AnyStep& step, const std::filesystem::path& dir, const Context& ctx,
                                      std::vector<std::filesystem::path>* used = nullptr) {
    ParamNode tree = ParamNode::map();
    const StepInfo& info = step.info();
    if (info.kind == StepKind::pipeline) {
        for (const auto& entry : step.plan(ctx)) {
            if (auto file = find_pars_file(dir, entry.class_name)) {
                ParamNode sub = parameters_only(load_parameter_file(*file));
                sub.erase("steps");
                tree.child("steps").child(entry.alias).merge(sub);
                if (used) used->push_back(*file);
            }
        }
    }
    if (auto file = find_pars_file(dir, info.class_name)) {
        tree.merge(parameters_only(load_parameter_file(*file)));
        if (used) used->push_back(*file);
    }
    return tree;
}

/// Everything above the code defaults, for one run.
struct ParameterSources {
    std::optional<std::filesystem::path> reference_dir;  // layer 2 (skipped when empty)
    ParamNode user_file;                                  // layer 3 (null: none)
    ParamNode command_line;                               // layer 4 (null: none)
};

/// Layers 2-4 merged into one tree (every node keeps the source it came from).
inline ParamNode merged_parameters(const AnyStep& step, const ParameterSources& sources, const Context& ctx,
                                   std::vector<std::filesystem::path>* used_pars_files = nullptr) {
    ParamNode tree = ParamNode::map();
    if (sources.reference_dir) tree.merge(reference_parameters(step, *sources.reference_dir, ctx, used_pars_files));
    if (!sources.user_file.is_null()) tree.merge(sources.user_file);
    if (!sources.command_line.is_null()) tree.merge(sources.command_line);
    return tree;
}

}  // namespace orrery::stpipe
