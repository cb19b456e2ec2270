/*
 * madnis-ts MG5 bridge, C side (madnis-ts' own code): exports the process ABI
 * (native/include/madnis/process.h, 1.3) for one MadEvent SubProcesses/P* folder whose
 * Fortran is linked into the same shared library (see README.md for the recipe).
 *
 * MadEvent keeps its state in COMMON blocks and SAVE variables, so one loaded copy is one
 * integrand: all instances of a copy share it and every call into Fortran is serialised by
 * the copy's mutex. The library says so (madnis_process_instances_share_state), and the
 * madnis-ts loader then loads a private copy of the file per worker thread, which run in
 * parallel. MadEvent reads files relative to the working directory at init and at channel
 * switches (../symfact.dat): those two steps run inside <P dir>/madnis (MadEvent's G*
 * directories sit at the same depth) under a lock every copy in the process shares (flock
 * on one lock file), since the working directory is process-wide. Evaluating points reads
 * no file.
 */
#include <madnis/process.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXCONF 1000

/* Fortran side (madnis_mg5.f, MG5's objects) */
extern void madnis_mg5_init_(int* ndim, int* next, int* nconf, int* maxsproc, int* lpp,
                             double* ebeam, int* sde, double* pmass, int* idup, int* pdfid,
                             int* syst);
extern int madnis_mg5_mapconfig_(int* i);
extern void madnis_mg5_flush_(void);
extern void madnis_mg5_set_channel_(int* icfg);
extern void madnis_mg5_set_clustering_(int* by_channel);
extern void madnis_mg5_set_prior_(int* amp2);
extern void madnis_mg5_set_subprocess_(int* sample);
extern void madnis_mg5_point_(int* icfg, int* iscfg, int* ircfg, const double* u, int* cls, int* nch, double* rsel,
                              double* rcol, double* wgt, double* alpha, double* p, int* pdg,
                              double* x1, double* x2, double* muf, double* mur, double* as,
                              double* aqed, int* hel, int* col, int* res, int* rescol,
                              int* maxres, int* nqcd, double* totfact, int* want_record);
/* MG5's RANMAR state (Source/ranmar.f): reseeded from u at every point so that the
 * discrete choices inside DSIG1/SMATRIX (flavour, helicity) are deterministic. */
extern struct { double ranu[97], ranc, rancd, rancm; } raset1_;
extern struct { int iranmr, jranmr; } raset2_;

struct madnis_process_instance {
  char last_error[512];
  /* diagnostic (evaluate_as=N): f as channel N evaluates it, at the momenta of the channel
   * asked for (its phase-space map); -1: the channel's own */
  int evaluate_as;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_initialised = 0;
static char g_dir[4096], g_rundir[4200], g_name[256], g_desc[512], g_json[16384];
static madnis_process_info g_info;
static int g_nconf, g_nch, g_cfg_of_channel[MAXCONF], g_cls[MAXCONF + 1], g_current = -1;
/* the config whose diagram the event record follows: the channel's own, or for a symmetric
 * copy its class config (DSIGPROC evaluates a copy at P1 = P(PERMS), where it is the class's) */
static int g_record_cfg_of_channel[MAXCONF];
/* a symmetric copy (symfact.dat factor -g, sym=split): the channel of graph g, else -1 */
static int g_copy_of_channel[MAXCONF];
static int g_ndim, g_next, g_graph_of_channel[MAXCONF];
/* the run card's use_syst: MadEvent writes its systematics block per event */
static int g_syst = 0;
/* 1: configs with a negative symfact.dat factor (symmetric copies) are channels of their own,
 * with their own phase-space map; 0: their prior is folded into the class channel. */
static int g_sym_split = 1;
/* how the dynamical scale is clustered (madnis_scale.f): 0 (clustering=dominant, default) along
 * the config picked from the momenta, so that f is one function for all channels; 1
 * (clustering=channel) along the channel's own diagram, as MadEvent does */
static int g_by_channel = 0;
/* prior=amp2: the prior channel weights as sde_strategy 1 builds them (AMP2 of each config's
 * diagram), also where the run card has sde_strategy 2; the scale still follows the card */
static int g_amp2_prior = 0;
/* subprocess=sample: one subprocess (and mirror) of the folder per point, drawn by PDF
 * luminosity with a floor, as MadEvent does, instead of all of them summed */
static int g_sample_sub = 0;

static uint64_t splitmix(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double unit(uint64_t* s) { return (splitmix(s) >> 11) * (1.0 / 9007199254740992.0); }

static uint64_t hash_u(const double* u, int n, int channel) {
  uint64_t h = 0x243f6a8885a308d3ULL ^ (uint64_t)channel;
  for (int i = 0; i < n; ++i) {
    uint64_t b;
    memcpy(&b, &u[i], 8);
    h ^= b + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h = splitmix(&h);
  }
  return h;
}

static void seed_ranmar(uint64_t seed) {
  for (int i = 0; i < 97; ++i) raset1_.ranu[i] = unit(&seed);
  raset1_.ranc = 362436.0 / 16777216.0;
  raset1_.rancd = 7654321.0 / 16777216.0;
  raset1_.rancm = 16777213.0 / 16777216.0;
  raset2_.iranmr = 97;
  raset2_.jranmr = 33;
}

static void set_err(char* err, size_t len, const char* msg) {
  if (err && len) {
    strncpy(err, msg, len - 1);
    err[len - 1] = '\0';
  }
}

/* The working-directory lock shared by every MG5 library copy in this process (and, harmlessly,
 * by this user's other madnis-ts processes): flock on one file of the temp directory, or of
 * the SubProcesses folder when the temp directory is not writable. Without it, libraries of
 * different P folders could chdir at once and read each other's symfact.dat: create fails. */
static int g_cwd_lock_fd = -1;
static int open_cwd_lock(char* err, size_t len) {
  if (g_cwd_lock_fd >= 0) return 1;
  const char* tmp = getenv("TMPDIR");
  char path[4400];
  snprintf(path, sizeof path, "%s/madnis-mg5-cwd-%ld.lock", tmp && *tmp ? tmp : "/tmp", (long)getuid());
  g_cwd_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (g_cwd_lock_fd < 0) {
    snprintf(path, sizeof path, "%s/../.madnis-cwd.lock", g_dir);
    g_cwd_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  }
  if (g_cwd_lock_fd < 0) {
    char msg[4600];
    snprintf(msg, sizeof msg, "mg5: cannot create the working-directory lock (%s): %s; set TMPDIR to a writable folder",
             path, strerror(errno));
    set_err(err, len, msg);
    return 0;
  }
  return 1;
}
static int cwd_lock(void) {
  if (g_cwd_lock_fd < 0) return 0;
  while (flock(g_cwd_lock_fd, LOCK_EX) != 0)
    if (errno != EINTR) return 0;
  return 1;
}
static void cwd_unlock(void) { flock(g_cwd_lock_fd, LOCK_UN); }

/* Runs MadEvent's channel switch inside the run directory. */
static int enter_rundir(int* home) {
  *home = -1;
  if (!cwd_lock()) return 0;
  *home = open(".", O_RDONLY | O_CLOEXEC);
  if (chdir(g_rundir) != 0) {
    if (*home >= 0) close(*home);
    cwd_unlock();
    return 0;
  }
  return 1;
}
static int leave_rundir(int home) {
  int ok = 1;
  if (home >= 0) {
    ok = fchdir(home) == 0;
    close(home);
  }
  cwd_unlock();
  return ok;
}

/* MadEvent's Fortran ends the program with STOP on errors it cannot recover from (a bad
 * card value, an impossible configuration); a plain STOP would exit the host with status 0
 * and no word. These definitions take the place of libgfortran's inside this library
 * (bound by -Bsymbolic): they say where it happened and exit with status 1. */
static void fortran_stopped(const char* what, size_t len) {
  char msg[5000];
  int n = snprintf(msg, sizeof msg,
                   "\nmadnis-ts: MadEvent's Fortran stopped the run (%.*s) in %s; see its log mg5_fortran.log (in %s, or in the madnis folder of another P* folder of this process)\n",
                   (int)(len > 400 ? 400 : len), what, g_dir, g_rundir);
  if (n > 0) {
    ssize_t ignored = write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    (void)ignored;
  }
  madnis_mg5_flush_(); /* MadEvent's last words, which say why, are still in unit 6's buffer */
  _exit(1);
}
void _gfortran_stop_string(const char* s, size_t len, int quiet) {
  (void)quiet;
  fortran_stopped(s ? s : "STOP", s ? len : 4);
}
void _gfortran_error_stop_string(const char* s, size_t len, int quiet) {
  (void)quiet;
  fortran_stopped(s ? s : "ERROR STOP", s ? len : 10);
}
void _gfortran_stop_numeric(int code, int quiet) {
  char b[32];
  (void)quiet;
  int n = snprintf(b, sizeof b, "STOP %d", code);
  fortran_stopped(b, (size_t)n);
}
void _gfortran_error_stop_numeric(int code, int quiet) {
  char b[32];
  (void)quiet;
  int n = snprintf(b, sizeof b, "ERROR STOP %d", code);
  fortran_stopped(b, (size_t)n);
}

static int beam_pdg(int lpp, int parton) {
  switch (lpp) {
    case 0: return parton;
    case 1: case 2: return 2212;
    case -1: case -2: return -2212;
    case 3: return 11;
    case -3: return -11;
    case 4: return 13;
    case -4: return -13;
    default: return 0;
  }
}

/* "value = key ! comment" lines of a MadEvent card */
static int card_value(const char* path, const char* key, char* out, size_t len) {
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    char* hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char* eq = strchr(line, '=');
    if (!eq) continue;
    char k[256];
    if (sscanf(eq + 1, "%255s", k) != 1 || strcmp(k, key) != 0) continue;
    *eq = '\0';
    if (sscanf(line, "%255s", out) == 1) found = 1;
    (void)len;
    break;
  }
  fclose(f);
  return found;
}

/* Reads <P dir>/symfact.dat: "graph[.bw] factor". factor > 0: an integrated channel;
 * factor < 0: config whose contribution MadEvent folds into graph -factor; 0: skipped.
 * Breit-Wigner splits (2.1, 2.2) are merged into one channel (we do not split). */
static int read_channels(char* err, size_t err_len) {
  char path[4300];
  snprintf(path, sizeof path, "%s/symfact.dat", g_dir);
  FILE* f = fopen(path, "r");
  if (!f) {
    set_err(err, err_len, "mg5: cannot open symfact.dat in the process folder (run MG5's gensym/launch first)");
    return 0;
  }
  int graph_factor[MAXCONF + 1];
  for (int i = 0; i <= MAXCONF; ++i) graph_factor[i] = 0;
  double r;
  int fac;
  while (fscanf(f, "%lf %d", &r, &fac) == 2) {
    int g = (int)(r + 1e-9);
    if (g <= 0 || g > MAXCONF) continue;
    if (fac != 0 || graph_factor[g] == 0) graph_factor[g] = fac;
  }
  fclose(f);
  g_nch = 0;
  int chan_of_graph[MAXCONF + 1];
  for (int i = 0; i <= MAXCONF; ++i) chan_of_graph[i] = 0;
  for (int c = 1; c <= g_nconf; ++c) {
    int g = madnis_mg5_mapconfig_(&c);
    if (g > 0 && g <= MAXCONF && (graph_factor[g] > 0 || (g_sym_split && graph_factor[g] < 0))) {
      g_cfg_of_channel[g_nch] = c;
      g_graph_of_channel[g_nch] = g;
      chan_of_graph[g] = ++g_nch;
    }
  }
  for (int k = 0; k < g_nch; ++k) {
    int g = g_graph_of_channel[k];
    g_record_cfg_of_channel[k] = g_cfg_of_channel[k];
    g_copy_of_channel[k] = -1;
    if (graph_factor[g] >= 0 || -graph_factor[g] > MAXCONF) continue;
    if (graph_factor[-graph_factor[g]] > 0) g_copy_of_channel[k] = chan_of_graph[-graph_factor[g]] - 1;
    for (int c = 1; c <= g_nconf; ++c)
      if (madnis_mg5_mapconfig_(&c) == -graph_factor[g]) g_record_cfg_of_channel[k] = c;
  }
  for (int c = 1; c <= g_nconf; ++c) {
    int g = madnis_mg5_mapconfig_(&c);
    g_cls[c - 1] = 0;
    if (g <= 0 || g > MAXCONF) continue;
    if (graph_factor[g] > 0 || (g_sym_split && graph_factor[g] < 0)) g_cls[c - 1] = chan_of_graph[g];
    else if (graph_factor[g] < 0 && -graph_factor[g] <= MAXCONF)
      g_cls[c - 1] = chan_of_graph[-graph_factor[g]];
  }
  if (g_nch == 0) {
    set_err(err, err_len, "mg5: symfact.dat lists no channel");
    return 0;
  }
  return 1;
}

static int initialise(const char* dir, char* err, size_t err_len) {
  strncpy(g_dir, dir, sizeof g_dir - 1);
  snprintf(g_rundir, sizeof g_rundir, "%s/madnis", g_dir);
  mkdir(g_rundir, 0755);
  if (!open_cwd_lock(err, err_len)) return 0;
  int home = -1;
  if (!enter_rundir(&home)) {
    snprintf(g_json, sizeof g_json, "mg5: cannot enter %s: %s (dir=<SubProcesses/P* folder>)",
             g_rundir, strerror(errno));
    set_err(err, err_len, g_json);
    return 0;
  }
  int nconf = 0, maxsproc = 0, lpp[2], sde = 0, idup[MADNIS_MAX_EXTERNALS], pdfid = -1;
  double ebeam[2], pmass[MADNIS_MAX_EXTERNALS];
  madnis_mg5_set_clustering_(&g_by_channel);
  madnis_mg5_set_prior_(&g_amp2_prior);
  madnis_mg5_set_subprocess_(&g_sample_sub);
  madnis_mg5_init_(&g_ndim, &g_next, &nconf, &maxsproc, lpp, ebeam, &sde, pmass, idup, &pdfid, &g_syst);
  g_nconf = nconf;
  int ok = read_channels(err, err_len);
  if (ok) {
    madnis_mg5_set_channel_(&g_cfg_of_channel[0]);
    g_current = 0;
  }
  if (!leave_rundir(home)) ok = 0;
  if (!ok) return 0;

  const char* base = strrchr(g_dir, '/');
  base = base ? base + 1 : g_dir;
  snprintf(g_name, sizeof g_name, "mg5_%s", base);
  snprintf(g_desc, sizeof g_desc, "MadEvent %s (MG5 Fortran via madnis mg5glue)", g_dir);
  char pdlabel[256] = "", lhaid[256] = "";
  char card[4400];
  snprintf(card, sizeof card, "%s/../../Cards/run_card.dat", g_dir);
  card_value(card, "pdlabel", pdlabel, sizeof pdlabel);
  card_value(card, "lhaid", lhaid, sizeof lhaid);

  memset(&g_info, 0, sizeof g_info);
  g_info.name = g_name;
  g_info.description = g_desc;
  g_info.dimension = g_ndim;
  g_info.n_channels = g_nch;
  g_info.n_externals = g_next;
  for (int i = 0; i < g_next && i < MADNIS_MAX_EXTERNALS; ++i) {
    g_info.pdg[i] = idup[i];
    g_info.mass[i] = pmass[i];
  }
  g_info.beam_pdg[0] = beam_pdg(lpp[0], idup[0]);
  g_info.beam_pdg[1] = beam_pdg(lpp[1], idup[1]);
  g_info.beam_energy[0] = ebeam[0];
  g_info.beam_energy[1] = ebeam[1];
  g_info.uses_pdf = (lpp[0] != 0 || lpp[1] != 0);
  /* as MG5 writes it in <init>: the LHAPDF id of the set, built-in ones included (nn23lo1: 247000) */
  g_info.pdf_lhaid = g_info.uses_pdf ? pdfid : -1;

  int n = snprintf(g_json, sizeof g_json,
                   "{\"mg5_dir\":\"%s\",\"sde_strategy\":%d,\"sym\":\"%s\",\"pdlabel\":\"%s\",\"lhaid\":\"%s\","
                   "\"use_syst\":%s,\"clustering\":\"%s\",\"prior\":\"%s\",\"subprocess\":\"%s\",\"lpp\":[%d,%d],\"n_configs\":%d,\"maxsproc\":%d,\"channel_graphs\":[",
                   g_dir, sde, g_sym_split ? "split" : "fold", pdlabel, lhaid, g_syst ? "true" : "false",
                   g_by_channel ? "channel" : "dominant", g_amp2_prior ? "amp2" : "madevent", g_sample_sub ? "sample" : "sum", lpp[0], lpp[1], g_nconf, maxsproc);
  for (int c = 0; c < g_nch && n < (int)sizeof g_json - 32; ++c)
    n += snprintf(g_json + n, sizeof g_json - n, "%s%d", c ? "," : "", g_graph_of_channel[c]);
  n += snprintf(g_json + n, sizeof g_json - n, "],\"channel_names\":[");
  for (int c = 0; c < g_nch && n < (int)sizeof g_json - 32; ++c)
    n += snprintf(g_json + n, sizeof g_json - n, "%s\"G%d\"", c ? "," : "", g_graph_of_channel[c]);
  n += snprintf(g_json + n, sizeof g_json - n, "],\"channel_copy_of\":[");
  for (int c = 0; c < g_nch && n < (int)sizeof g_json - 32; ++c)
    n += snprintf(g_json + n, sizeof g_json - n, "%s%d", c ? "," : "", g_copy_of_channel[c]);
  snprintf(g_json + n, sizeof g_json - n, "]}");
  return 1;
}

static madnis_status mg5_create(const char* params, madnis_process_instance** out, char* err,
                                size_t err_len) {
  /* the MadEvent folder is always given (dir=): nothing about where it was built is compiled
     in, so the library moves with a gridpack */
  char dir[4096] = "";
  int evaluate_as = -1, by_channel = -1, amp2_prior = -1, sample_sub = -1;
  if (params && *params) {
    char buf[8192];
    strncpy(buf, params, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    for (char* tok = strtok(buf, "&"); tok; tok = strtok(NULL, "&")) {
      char* eq = strchr(tok, '=');
      if (!eq) {
        set_err(err, err_len, "mg5: parameters are key=value; allowed keys: dir, sym, clustering, prior, subprocess, evaluate_as");
        return MADNIS_ERR_INVALID_PARAMETER;
      }
      *eq = '\0';
      if (strcmp(tok, "dir") == 0) {
        strncpy(dir, eq + 1, sizeof dir - 1);
      } else if (strcmp(tok, "sym") == 0 && (!strcmp(eq + 1, "fold") || !strcmp(eq + 1, "split"))) {
        if (!g_initialised) g_sym_split = strcmp(eq + 1, "split") == 0;
      } else if (strcmp(tok, "clustering") == 0 && (!strcmp(eq + 1, "dominant") || !strcmp(eq + 1, "channel"))) {
        by_channel = strcmp(eq + 1, "channel") == 0;
      } else if (strcmp(tok, "prior") == 0 && (!strcmp(eq + 1, "madevent") || !strcmp(eq + 1, "amp2"))) {
        amp2_prior = strcmp(eq + 1, "amp2") == 0;
      } else if (strcmp(tok, "subprocess") == 0 && (!strcmp(eq + 1, "sum") || !strcmp(eq + 1, "sample"))) {
        sample_sub = strcmp(eq + 1, "sample") == 0;
      } else if (strcmp(tok, "evaluate_as") == 0 && sscanf(eq + 1, "%d", &evaluate_as) == 1 && evaluate_as >= 0) {
      } else {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "mg5: bad parameter '%s'; allowed: dir=<SubProcesses/P* folder>, sym=fold|split, clustering=dominant|channel, "
                 "prior=madevent|amp2, subprocess=sum|sample, evaluate_as=<channel index>",
                 tok);
        set_err(err, err_len, msg);
        return MADNIS_ERR_INVALID_PARAMETER;
      }
    }
  }
  pthread_mutex_lock(&g_lock);
  madnis_status st = MADNIS_OK;
  if (!g_initialised && by_channel >= 0) g_by_channel = by_channel;
  if (!g_initialised && amp2_prior >= 0) g_amp2_prior = amp2_prior;
  if (!g_initialised && sample_sub >= 0) g_sample_sub = sample_sub;
  if (g_initialised && by_channel >= 0 && by_channel != g_by_channel) {
    set_err(err, err_len, g_by_channel ? "mg5: this library already clusters along the channel (clustering=channel)"
                                       : "mg5: this library already clusters along the dominant config (clustering=dominant)");
    st = MADNIS_ERR_INVALID_PARAMETER;
  } else if (g_initialised && sample_sub >= 0 && sample_sub != g_sample_sub) {
    set_err(err, err_len, g_sample_sub ? "mg5: this library already draws one subprocess per point (subprocess=sample)"
                                       : "mg5: this library already sums the subprocesses (subprocess=sum)");
    st = MADNIS_ERR_INVALID_PARAMETER;
  } else if (g_initialised && amp2_prior >= 0 && amp2_prior != g_amp2_prior) {
    set_err(err, err_len, g_amp2_prior ? "mg5: this library already takes the prior from AMP2 (prior=amp2)"
                                       : "mg5: this library already takes MadEvent's prior (prior=madevent)");
    st = MADNIS_ERR_INVALID_PARAMETER;
  } else if (!g_initialised) {
    if (!*dir) {
      set_err(err, err_len,
              "mg5: dir= is required: the MadEvent SubProcesses/P* folder this library was built from "
              "(LIB.so?dir=<MG5 output>/SubProcesses/P1_...)");
      st = MADNIS_ERR_INVALID_PARAMETER;
    } else if (!initialise(dir, err, err_len)) {
      st = MADNIS_ERR_NOT_FOUND;
    } else {
      g_initialised = 1;
    }
  } else if (*dir && strcmp(dir, g_dir) != 0) {
    set_err(err, err_len, "mg5: this library is already bound to another process folder");
    st = MADNIS_ERR_INVALID_PARAMETER;
  }
  if (st == MADNIS_OK && evaluate_as >= g_nch) {
    set_err(err, err_len, "mg5: evaluate_as is not a channel index of this library");
    st = MADNIS_ERR_INVALID_PARAMETER;
  }
  pthread_mutex_unlock(&g_lock);
  if (st != MADNIS_OK) return st;
  *out = calloc(1, sizeof(madnis_process_instance));
  if (!*out) return MADNIS_ERR_INTERNAL;
  (*out)->evaluate_as = evaluate_as;
  return MADNIS_OK;
}

static void mg5_destroy(madnis_process_instance* p) { free(p); }

static madnis_status mg5_info(const madnis_process_instance* p, madnis_process_info* out) {
  (void)p;
  *out = g_info;
  return MADNIS_OK;
}

static madnis_status mg5_evaluate(madnis_process_instance* inst, int32_t channel, int64_t n,
                                  const double* u, const madnis_eval_output* out) {
  if (channel < 0 || channel >= g_nch) {
    snprintf(inst->last_error, sizeof inst->last_error, "mg5: channel %d out of range [0,%d)",
             channel, g_nch);
    return MADNIS_ERR_INVALID_CHANNEL;
  }
  if (!out || !out->weight) {
    snprintf(inst->last_error, sizeof inst->last_error, "mg5: output weight is required");
    return MADNIS_ERR_INVALID_PARAMETER;
  }
  const int ne = g_next, nch = g_nch;
  double alpha[MAXCONF], mom[4 * MADNIS_MAX_EXTERNALS];
  int pdg[MADNIS_MAX_EXTERNALS], hel[MADNIS_MAX_EXTERNALS];
  madnis_status st = MADNIS_OK;
  int col[2 * MADNIS_MAX_EXTERNALS], res[2 * MADNIS_MAX_RESONANCES], rescol[2 * MADNIS_MAX_RESONANCES];
  int maxres = MADNIS_MAX_RESONANCES, nqcd = -1;
  double totfact = 0;
  /* helicities, colour flow and resonances cost internal Fortran I/O and loops per point:
   * only for callers that keep the event record */
  int want_record = (out->pdg || out->helicity || out->colour || out->resonances || out->resonance_colour ||
                     out->qcd_order || out->pdf_factor) ? 1 : 0;
  pthread_mutex_lock(&g_lock);
  if (g_current != channel) {
    int home = -1;
    if (!enter_rundir(&home)) {
      snprintf(inst->last_error, sizeof inst->last_error, "mg5: cannot enter %s", g_rundir);
      pthread_mutex_unlock(&g_lock);
      return MADNIS_ERR_NOT_FOUND;
    }
    madnis_mg5_set_channel_(&g_cfg_of_channel[channel]);
    g_current = channel;
    if (!leave_rundir(home)) {
      snprintf(inst->last_error, sizeof inst->last_error, "mg5: cannot return from %s", g_rundir);
      pthread_mutex_unlock(&g_lock);
      return MADNIS_ERR_INTERNAL;
    }
  }
  int icfg = g_cfg_of_channel[channel], ircfg = g_record_cfg_of_channel[channel];
  int iscfg = inst->evaluate_as >= 0 ? g_cfg_of_channel[inst->evaluate_as] : icfg;
  for (int64_t i = 0; i < n; ++i) {
    const double* ui = u + i * g_ndim;
    uint64_t h = hash_u(ui, g_ndim, channel);
    uint64_t s = h;
    double rsel = unit(&s), rcol = unit(&s);
    seed_ranmar(splitmix(&s));
    double w, x1, x2, muf, mur, as, aqed;
    madnis_mg5_point_(&icfg, &iscfg, &ircfg, ui, g_cls, (int*)&nch, &rsel, &rcol, &w, alpha, mom, pdg, &x1, &x2,
                      &muf, &mur, &as, &aqed, hel, col, res, rescol, &maxres, &nqcd, &totfact,
                      &want_record);
    if (!isfinite(w)) {
      snprintf(inst->last_error, sizeof inst->last_error, "mg5: non-finite weight at point %lld",
               (long long)i);
      st = MADNIS_ERR_EVALUATION;
      w = 0;
    }
    out->weight[i] = w;
    if (out->channel_weights) memcpy(out->channel_weights + i * nch, alpha, nch * sizeof(double));
    if (out->momenta) memcpy(out->momenta + i * ne * 4, mom, ne * 4 * sizeof(double));
    if (out->pdg)
      for (int k = 0; k < ne; ++k) out->pdg[i * ne + k] = pdg[k];
    if (out->x1) out->x1[i] = x1;
    if (out->x2) out->x2[i] = x2;
    if (out->mu_f) out->mu_f[i] = muf;
    if (out->mu_r) out->mu_r[i] = mur;
    if (out->alpha_s) out->alpha_s[i] = as;
    if (out->alpha_qed) out->alpha_qed[i] = aqed;
    if (out->helicity)
      for (int k = 0; k < ne; ++k) out->helicity[i * ne + k] = hel[k];
    if (out->colour) memcpy(out->colour + i * ne * 2, col, 2 * ne * sizeof(int));
    if (out->resonances) memcpy(out->resonances + i * MADNIS_MAX_RESONANCES * 2, res, sizeof res);
    if (out->resonance_colour) memcpy(out->resonance_colour + i * MADNIS_MAX_RESONANCES * 2, rescol, sizeof rescol);
    if (out->qcd_order) out->qcd_order[i] = nqcd;
    if (out->pdf_factor) out->pdf_factor[i] = totfact;
  }
  pthread_mutex_unlock(&g_lock);
  return st;
}

static const char* mg5_last_error(const madnis_process_instance* p) { return p->last_error; }
static const char* mg5_parameters_json(const madnis_process_instance* p) {
  (void)p;
  return g_json;
}

/* Optional ABI symbol: instances of one loaded copy share MadEvent's state (see the top). */
__attribute__((visibility("default"))) const int32_t madnis_process_instances_share_state = 1;

__attribute__((visibility("default"))) const madnis_process_api* madnis_process_get_api(void) {
  static const madnis_process_api api = {
      MADNIS_PROCESS_ABI_MAJOR, MADNIS_PROCESS_ABI_MINOR, mg5_create,   mg5_destroy,
      mg5_info,                 mg5_evaluate,             mg5_last_error, mg5_parameters_json,
  };
  return &api;
}
