/*
 * madnis-ts process ABI — the one integrand contract.
 *
 * A process is a shared library that exports `madnis_process_get_api`, returning a
 * table of plain C functions. Built-in processes (native/processes/) and the MadGraph
 * bridge (native/mg5glue/) implement it; the core loads it with dlopen
 * (native/src/process_loader.cpp) and never needs anything else from it.
 *
 * Conventions
 * - The integrand lives on the unit hypercube [0,1]^dimension, once per channel: the
 *   process maps u to a phase-space point with the channel's own mapping g_c, and the
 *   weight it returns is f(x(u)) / g_c(u) in pb (zero where cuts fail). The weight does
 *   NOT include the channel weight α_c: the sampler multiplies by α_c itself (the prior
 *   below, or a learned one), so Σ_c E_{u~U}[α_c · weight_c] is the cross section.
 * - The prior channel weights α_j(x) (MadEvent's single-diagram enhancement weights,
 *   |M_j|² / Σ_k |M_k|²) are returned for every channel j at every point, and sum to 1.
 * - The weight and everything else returned are a deterministic function of
 *   (channel, u): discrete choices for the event record (flavours, helicities, colour
 *   flow) are drawn from a uniform number derived from the bits of u.
 * - Instances are independent: the caller creates one per thread and never calls one
 *   instance from two threads at once. No global state is required of the caller.
 *   Exception: a library whose instances share state (MadEvent's Fortran COMMON blocks)
 *   exports `const int32_t madnis_process_instances_share_state = 1` (optional symbol, any
 *   1.x); the core then loads a private copy of the file for every instance after the
 *   first (dlopen of a copy, RTLD_LOCAL), so instances on different threads never share a
 *   copy. Such a library must serialise any use of process-wide state (the working
 *   directory) across copies itself.
 * - Errors are status codes; the message of the last error is kept per instance
 *   (`last_error`), and `create` writes its message into a caller buffer.
 * - Momenta are (E, px, py, pz) in GeV in the laboratory frame, externals in the order of
 *   `madnis_process_info.pdg`.
 *
 * Versioning: a library built for major version M is loadable by a core of the same M
 * and at least the library's minor version; minor versions only add fields at the end of
 * the structs below and functions at the end of the table, so a core checks the
 * library's `abi_minor` before setting or calling newer members (and leaves them NULL).
 *   1.0  the first version
 *   1.1  madnis_eval_output.helicity and .colour (the event record for LHE files)
 *   1.2  madnis_eval_output.resonances (intermediate resonances of the event record)
 *   1.3  madnis_eval_output.resonance_colour, .qcd_order, .pdf_factor (resonances of any
 *        colour; what MG5's per-event systematics block needs); helicity 0 is a helicity
 */
#ifndef MADNIS_PROCESS_H
#define MADNIS_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MADNIS_PROCESS_ABI_MAJOR 1
#define MADNIS_PROCESS_ABI_MINOR 3

#define MADNIS_MAX_EXTERNALS 16
#define MADNIS_MAX_RESONANCES 8

typedef enum madnis_status {
  MADNIS_OK = 0,
  MADNIS_ERR_INVALID_PARAMETER = 1, /* bad key=value at create, or bad argument */
  MADNIS_ERR_NOT_FOUND = 2,         /* a file the process needs (e.g. a PDF grid) */
  MADNIS_ERR_INVALID_CHANNEL = 3,
  MADNIS_ERR_EVALUATION = 4,        /* the integrand failed (e.g. NaN from an amplitude) */
  MADNIS_ERR_INTERNAL = 5
} madnis_status;

typedef struct madnis_process_instance madnis_process_instance; /* opaque */

typedef struct madnis_process_info {
  const char* name;        /* short id, e.g. "ee_mumu" */
  const char* description; /* one line, e.g. "e+ e- > mu+ mu- via gamma/Z" */
  int32_t dimension;       /* random numbers per point */
  int32_t n_channels;
  int32_t n_externals;     /* initial state first (2), then final state */
  int32_t pdg[MADNIS_MAX_EXTERNALS];     /* representative PDG ids; per-event ids in output */
  double mass[MADNIS_MAX_EXTERNALS];     /* GeV */
  int32_t beam_pdg[2];     /* e.g. 2212 2212 or -11 11 */
  double beam_energy[2];   /* GeV */
  int32_t uses_pdf;        /* 1 if x1, x2 are parton momentum fractions from PDFs */
  int32_t pdf_lhaid;       /* LHAPDF id of the PDF set, or -1 */
} madnis_process_info;

/* Per-point outputs. `weight` is required; every other pointer may be NULL when the
 * caller does not need it (the process then skips that work where it can). */
typedef struct madnis_eval_output {
  double* weight;          /* [n] f/g_c in pb, 0 when cuts fail */
  double* channel_weights; /* [n * n_channels] prior α_j, each row sums to 1 */
  double* momenta;         /* [n * n_externals * 4] (E, px, py, pz), lab frame */
  int32_t* pdg;            /* [n * n_externals] flavours of this event */
  double* x1;              /* [n] momentum fraction of beam 1 (1 for lepton beams) */
  double* x2;              /* [n] */
  double* mu_f;            /* [n] factorisation scale, GeV */
  double* mu_r;            /* [n] renormalisation scale, GeV */
  double* alpha_s;         /* [n] */
  double* alpha_qed;       /* [n] */
  /* since 1.1 */
  int32_t* helicity;       /* [n * n_externals] chosen helicities (LHE SPINUP: ±1, 0 for a
                            * longitudinal vector or a scalar), 9: none */
  int32_t* colour;         /* [n * n_externals * 2] LHE colour and anticolour tags, 0: none */
  /* since 1.2 */
  int32_t* resonances;     /* [n * MADNIS_MAX_RESONANCES * 2] s-channel resonances to write as
                            * intermediate particles (LHE status 2): (PDG id, bit mask of the
                            * outgoing externals it decays into, bit j for external j); slots
                            * after the last resonance have PDG 0. A resonance's momentum is the
                            * sum of its decay products'; listed outermost first. Before 1.3 a
                            * library lists colourless ones only. */
  /* since 1.3 */
  int32_t* resonance_colour; /* [n * MADNIS_MAX_RESONANCES * 2] LHE colour, anticolour of each
                              * resonance (0: none), tags shared with the externals' */
  int32_t* qcd_order;      /* [n] power of alpha_s in the weight, -1: unknown (MG5's <rscale>;
                            * with it, an LHE writer adds MG5's per-event systematics block) */
  double* pdf_factor;      /* [n] f1(x1, mu_F) * f2(x2, mu_F) of the weight (MG5's <totfact>) */
} madnis_eval_output;

typedef struct madnis_process_api {
  uint32_t abi_major;
  uint32_t abi_minor;
  /* params: "key=value&key=value" (may be NULL or empty). On failure returns a status
   * and writes a one-line message (naming the key and what is allowed) to err[err_len]. */
  madnis_status (*create)(const char* params, madnis_process_instance** out, char* err,
                          size_t err_len);
  void (*destroy)(madnis_process_instance* instance);
  madnis_status (*info)(const madnis_process_instance* instance, madnis_process_info* out);
  /* Fills out[i] for points u[i*dimension .. i*dimension+dimension) of `channel`
   * (0-based), i < n. */
  madnis_status (*evaluate)(madnis_process_instance* instance, int32_t channel, int64_t n,
                            const double* u, const madnis_eval_output* out);
  const char* (*last_error)(const madnis_process_instance* instance);
  /* A JSON object with the resolved parameters and physics inputs (for summaries and
   * LHE banners); owned by the instance, valid until destroy. */
  const char* (*parameters_json)(const madnis_process_instance* instance);
} madnis_process_api;

/* The one required exported symbol. */
typedef const madnis_process_api* (*madnis_process_get_api_fn)(void);
#define MADNIS_PROCESS_GET_API_SYMBOL "madnis_process_get_api"
/* Optional: `const int32_t` set to 1 when instances of one loaded copy share state. */
#define MADNIS_PROCESS_SHARE_STATE_SYMBOL "madnis_process_instances_share_state"

#ifdef __cplusplus
}
#endif

#endif /* MADNIS_PROCESS_H */
