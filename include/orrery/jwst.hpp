#pragma once
// orrery's JWST plug-in layer: data models, DQ flags, FITS I/O, reference files,
// the calwebb_detector1 steps and pipeline (all registered on inclusion).

#include "orrery/orrery.hpp"
#include "orrery/stpipe.hpp"

#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/jwst/products.hpp"
#include "orrery/jwst/reference_loader.hpp"
#include "orrery/jwst/pipelines/detector1.hpp"
