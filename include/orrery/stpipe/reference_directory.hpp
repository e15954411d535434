#pragma once
// stpipe-style reference lookup: override_<reftype> > a reference directory
// (--ref-dir DIR or ORRERY_REF_DIR: DIR/<reftype>.fits, then DIR/<reftype>.asdf)
// > an error naming the reference type and where it looked. Stands in for CRDS,
// which orrery does not contact.

#include "orrery/core/context.hpp"
#include "orrery/core/references.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace orrery::stpipe {

class ReferenceDirectory final : public ReferenceResolver {
public:
    explicit ReferenceDirectory(std::optional<std::filesystem::path> dir = std::nullopt) : dir_(std::move(dir)) {}

    /// The directory named by ORRERY_REF_DIR, if set.
    static ReferenceDirectory from_environment() {
        if (const char* env = std::getenv("ORRERY_REF_DIR"); env && *env) return ReferenceDirectory(std::filesystem::path(env));
        return ReferenceDirectory();
    }

    [[nodiscard]] const std::optional<std::filesystem::path>& directory() const { return dir_; }

    [[nodiscard]] ResolvedReference resolve(const std::string& step, const std::string& reftype,
                                            const ReferenceOverrides& overrides) const override {
        if (auto r = from_override(step, reftype, overrides)) return *r;
        if (!dir_)
            throw InputError("step '" + step + "': no '" + reftype +
                             "' reference file: no reference directory given (use --ref-dir DIR or ORRERY_REF_DIR, or --steps." + step +
                             ".override_" + reftype + "=PATH)");
        for (const char* ext : {".fits", ".asdf"}) {
            auto candidate = *dir_ / (reftype + ext);
            if (std::filesystem::is_regular_file(candidate)) return {reftype, std::filesystem::absolute(candidate), false, "ref-dir"};
        }
        throw InputError("step '" + step + "': no '" + reftype + "' reference file: looked for " + (*dir_ / (reftype + ".fits")).string() +
                         " (set --steps." + step + ".override_" + reftype + "=PATH or N/A)");
    }

    [[nodiscard]] std::string describe(const std::string& reftype, const ReferenceOverrides& overrides) const override {
        if (overrides.count(reftype) || !dir_) return ReferenceResolver::describe(reftype, overrides);
        auto candidate = *dir_ / (reftype + ".fits");
        return candidate.string() + (std::filesystem::exists(candidate) ? "" : " (missing)");
    }

private:
    std::optional<std::filesystem::path> dir_;
};

/// Resolve the context's references from `dir` (as --ref-dir does).
inline void use_reference_dir(Context& ctx, std::filesystem::path dir) {
    ctx.set_reference_resolver(std::make_shared<ReferenceDirectory>(std::move(dir)));
}

/// The context's reference directory, when its resolver is a ReferenceDirectory that has one.
inline std::optional<std::filesystem::path> reference_dir(const Context& ctx) {
    if (const auto* d = dynamic_cast<const ReferenceDirectory*>(&ctx.references())) return d->directory();
    return std::nullopt;
}

}  // namespace orrery::stpipe
