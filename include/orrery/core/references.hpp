#pragma once
// Reference data a step declares by type (S::reference_types): how a type is
// resolved to a file (a ReferenceResolver service on the Context), how long loaded
// references are kept (ReferenceRetention), and the interface a cache of loaded
// references implements so the context can release them.
//
// The core resolves only explicit per-step overrides (override_<reftype>: a path, or
// "N/A" = not applicable). Where files are looked up otherwise is a layer's policy:
// the stpipe layer's ReferenceDirectory (orrery/stpipe/reference_directory.hpp)
// adds a reference directory.

#include "orrery/core/errors.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace orrery {

/// How long references loaded through a Context stay in memory.
enum class ReferenceRetention {
    /// Default (one run, e.g. the command line): a reference type is released after the
    /// last step of the run that declares it, and everything at the end of the run — the
    /// references never add up to the whole set while the data is in memory.
    until_last_use,
    /// For the Context's lifetime: a benchmark loop or many inputs read each file once.
    keep,
};

/// A cache of loaded references kept in a Context state slot (Context::state<T>): the context
/// tells it when the rest of the run no longer needs a reference type.
class ReferenceHolder {
public:
    virtual ~ReferenceHolder() = default;
    /// Drop what is held for `reftype`; every type when it is empty.
    virtual void release_references(std::string_view reftype) = 0;
};

struct ResolvedReference {
    std::string reftype;
    std::filesystem::path path;  // empty when not applicable
    bool not_applicable = false; // "N/A": the step is skipped
    std::string origin;          // "override_mask", "ref-dir", ...
};

/// Per-step override_<reftype> values.
using ReferenceOverrides = std::map<std::string, std::string>;

/// Resolves a step's reference type to a file. This base honours overrides only; a
/// layer derives from it to add its own lookup (and installs it with
/// Context::set_reference_resolver).
class ReferenceResolver {
public:
    virtual ~ReferenceResolver() = default;

    /// Resolve without touching the file system beyond an existence check.
    [[nodiscard]] virtual ResolvedReference resolve(const std::string& step, const std::string& reftype,
                                                    const ReferenceOverrides& overrides) const {
        if (auto r = from_override(step, reftype, overrides)) return *r;
        throw InputError("step '" + step + "': no '" + reftype + "' reference file: set --steps." + step + ".override_" + reftype +
                         "=PATH (or N/A), or give a reference directory");
    }

    /// Where a lookup would go, for --dry-run plans; never throws.
    [[nodiscard]] virtual std::string describe(const std::string& reftype, const ReferenceOverrides& overrides) const {
        if (auto it = overrides.find(reftype); it != overrides.end()) return it->second + " (override_" + reftype + ")";
        return "(no reference directory)";
    }

protected:
    /// The override for `reftype`, if the step has one: N/A, or an existing file.
    [[nodiscard]] static std::optional<ResolvedReference> from_override(const std::string& step, const std::string& reftype,
                                                                        const ReferenceOverrides& overrides) {
        auto it = overrides.find(reftype);
        if (it == overrides.end()) return std::nullopt;
        ResolvedReference r{reftype, {}, false, "override_" + reftype};
        if (it->second == "N/A" || it->second == "n/a") {
            r.not_applicable = true;
            return r;
        }
        r.path = std::filesystem::absolute(it->second);
        if (!std::filesystem::is_regular_file(r.path))
            throw InputError("step '" + step + "': reference file " + r.path.string() + " given by override_" + reftype +
                             " does not exist");
        return r;
    }
};

}  // namespace orrery
