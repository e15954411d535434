#pragma once
// Reference resolution: override_<reftype> (a path, or "N/A" = not applicable)
// > the reference directory (--ref-dir / ORRERY_REF_DIR: DIR/<reftype>.fits)
// > an error naming the reference type and where it looked.
// Also: how long loaded references are kept (ReferenceRetention) and the interface
// a cache of loaded references implements so the context can release them.

#include "orrery/core/errors.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace orrery {

/// How long references loaded through a Context stay in memory.
enum class ReferenceRetention {
    /// Default (one exposure, e.g. the command line): a reference type is released after the
    /// last step of the run that declares it, and everything at the end of the run — the
    /// references never add up to the whole set while the data is in memory.
    until_last_use,
    /// For the Context's lifetime: a benchmark loop or many exposures read each file once.
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

class ReferenceResolver {
public:
    ReferenceResolver() {
        if (const char* env = std::getenv("ORRERY_REF_DIR"); env && *env) ref_dir_ = env;
    }
    void set_ref_dir(std::filesystem::path dir) { ref_dir_ = std::move(dir); }
    [[nodiscard]] const std::optional<std::filesystem::path>& ref_dir() const { return ref_dir_; }

    /// Resolve without touching the file system beyond an existence check.
    [[nodiscard]] ResolvedReference resolve(const std::string& step, const std::string& reftype,
                                            const std::map<std::string, std::string>& overrides) const {
        ResolvedReference r{reftype, {}, false, {}};
        if (auto it = overrides.find(reftype); it != overrides.end()) {
            r.origin = "override_" + reftype;
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
        if (ref_dir_) {
            for (const char* ext : {".fits", ".asdf"}) {
                auto candidate = *ref_dir_ / (reftype + ext);
                if (std::filesystem::is_regular_file(candidate)) {
                    r.path = std::filesystem::absolute(candidate);
                    r.origin = "ref-dir";
                    return r;
                }
            }
            throw InputError("step '" + step + "': no '" + reftype + "' reference file: looked for " +
                             (*ref_dir_ / (reftype + ".fits")).string() + " (set --steps." + step + ".override_" + reftype +
                             "=PATH or N/A)");
        }
        throw InputError("step '" + step + "': no '" + reftype +
                         "' reference file: no reference directory given (use --ref-dir DIR or ORRERY_REF_DIR, or --steps." +
                         step + ".override_" + reftype + "=PATH)");
    }

    /// The path a lookup would use, or nullopt (for --dry-run plans; never throws).
    [[nodiscard]] std::string describe(const std::string& reftype, const std::map<std::string, std::string>& overrides) const {
        if (auto it = overrides.find(reftype); it != overrides.end()) return it->second + " (override_" + reftype + ")";
        if (ref_dir_) {
            auto candidate = *ref_dir_ / (reftype + ".fits");
            return candidate.string() + (std::filesystem::exists(candidate) ? "" : " (missing)");
        }
        return "(no reference directory)";
    }

private:
    std::optional<std::filesystem::path> ref_dir_;
};

}  // namespace orrery
