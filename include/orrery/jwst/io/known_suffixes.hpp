#pragma once
// The suffixes jwst strips from a file name before it adds its own (jwst's
// jwst/lib/suffix.py, its known-suffix list as of jwst 3.0.0rc2): the product suffixes it
// lists by hand (uncal, ramp, rate, rateints, cal, ...) and the alias and lower-cased
// class name of every jwst step and pipeline, including those orrery does not have, so
// that names written by any jwst chain lose their suffix here too. The list is jwst's
// exactly: it is the complete list for the steps of package "jwst" (orrery's own step
// names are not added to it). Not in it, as in jwst: gain_scaleints, fitopt, trapsfilled.

#include "orrery/core/output_naming.hpp"

#include <array>
#include <string_view>

namespace orrery::jwst {

inline constexpr std::array<std::string_view, 176> known_suffixes{
    "adaptive_trace_model", "adaptivetracemodelstep", "align_refs", "alignrefsstep", "ami", "ami-oi", "ami3pipeline",
    "ami_analyze", "ami_normalize", "amianalyzestep", "aminorm", "aminorm-oi", "aminormalizestep", "assign_mtwcs",
    "assign_wcs", "assignmtwcsstep", "assignwcsstep", "backgroundstep", "badpix_selfcal", "badpixselfcalstep",
    "barshadow", "barshadowstep", "bkg_subtract", "blot", "bsub", "bsubints", "c1d", "cal", "calints", "calwebb_ami3",
    "calwebb_coron3", "calwebb_dark", "calwebb_detector1", "calwebb_guider", "calwebb_image2", "calwebb_image3",
    "calwebb_spec2", "calwebb_spec3", "calwebb_tso3", "calwebb_wfs-image3", "cat", "charge_migration",
    "chargemigrationstep", "clean_flicker_noise", "cleanflickernoisestep", "combine1dstep", "combine_1d",
    "coron3pipeline", "crf", "crfints", "cube_build", "cubebuildstep", "dark", "dark_current", "darkcurrentstep",
    "darkpipeline", "detector1pipeline", "dq_init", "dqinitstep", "emicorr", "emicorrstep", "extract1dstep",
    "extract2dstep", "extract_1d", "extract_2d", "firstframe", "firstframestep", "flat_field", "flatfieldstep",
    "fringe", "fringestep", "gain_scale", "gainscalestep", "group_scale", "groupscalestep", "guider_cds",
    "guidercdsstep", "guiderpipeline", "hlsp", "hlspstep", "i2d", "image2pipeline", "image3pipeline",
    "imprint_subtract", "imprintstep", "ipc", "ipcstep", "jump", "jumpstep", "klip", "klipstep", "lastframe",
    "lastframestep", "linearity", "linearitystep", "master_background", "master_background_mos",
    "masterbackgroundmosstep", "masterbackgroundstep", "mbsub", "median", "msa_flagging", "msaflagopenstep",
    "outlier_detection", "outlierdetectionstep", "pathloss", "pathlossstep", "persistence", "persistencestep", "phot",
    "photom", "photomstep", "picture_frame", "pictureframestep", "pixel_replace", "pixelreplacestep", "psfalign",
    "psfstack", "psfsub", "ramp", "ramp_fit", "rampfitstep", "rate", "rateints", "refpix", "refpixstep", "resample",
    "resample_spec", "resamplespecstep", "resamplestep", "reset", "resetstep", "residual_fringe",
    "residualfringestep", "rscd", "rscdstep", "s2d", "s3d", "saturation", "saturationstep", "skymatch",
    "skymatchstep", "snr", "source_catalog", "sourcecatalogstep", "sourcetypestep", "spec2pipeline", "spec3pipeline",
    "spectral_leak", "spectralleakstep", "srctype", "stack_refs", "stackrefsstep", "straylight", "straylightstep",
    "superbias", "superbiasstep", "targ_centroid", "targcentroidstep", "tso3pipeline", "tso_photometry",
    "tsophotometrystep", "tweakreg", "tweakregstep", "uncal", "wavecorr", "wavecorrstep", "wfscmb", "wfscombinestep",
    "wfss_contam", "wfsscontamstep", "white_light", "whitelightstep", "whtlt", "x1d", "x1dints"};

namespace detail {
inline bool declare_jwst_known_suffixes() {
    declare_known_suffixes("jwst", known_suffixes);
    return true;
}
inline const bool jwst_known_suffixes_declared = declare_jwst_known_suffixes();
}  // namespace detail

}  // namespace orrery::jwst
