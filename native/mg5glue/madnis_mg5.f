c ======================================================================
c madnis-ts MG5 bridge, Fortran side (madnis-ts' own code).
c
c Compiled inside a MadEvent SubProcesses/P* folder, so that the include
c files MG5 generated for that folder (genps.inc, nexternal.inc,
c maxamps.inc, run.inc, coupl.inc, configs.inc, leshouche.inc, ...)
c are picked up by -I. -I../../Source. See README.md for the recipe.
c
c It replaces MadEvent's driver.f (main program) and the random-number
c source of dsample.f (sample_get_x), and evaluates one phase-space
c point for a given channel deterministically:
c   weight = (phase-space jacobian of the channel) * sum over
c            subprocesses/mirrors of DSIGPROC with MULTI_CHANNEL off,
c   i.e. f/g_c in pb without the single-diagram-enhancement factor.
c The prior alpha_c is recomputed from AMP2 / GET_CHANNEL_CUT exactly
c as SMATRIX does when MULTI_CHANNEL is on.
c With the default clustering (madnis_scale.f) the weight is f/g_c with
c one f for every channel: all subprocesses are summed, and the scale is
c clustered along a config chosen from the momenta, per subprocess.
c ======================================================================

c ----------------------------------------------------------------------
c One-time initialisation; the caller has chdir'ed into a directory one
c level below the P* folder (MadEvent's G* directories live there).
c ----------------------------------------------------------------------
      subroutine madnis_mg5_init(ndim_out, next_out, nconf_out,
     &     maxsproc_out, lpp_out, ebeam_out, sde_out, pmass_out,
     &     idup_out, pdfid_out, syst_out)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      include 'run.inc'
      include 'coupl.inc'
      double precision zero
      parameter (ZERO = 0d0)
      integer ndim_out, next_out, nconf_out, maxsproc_out, lpp_out(2)
      integer sde_out, idup_out(nexternal), pdfid_out, syst_out
      double precision ebeam_out(2), pmass_out(nexternal)
c     the PDF set's number as MG5 writes it in the LHE <init> block
c     (setrun.f's get_pdfup: the LHAPDF id, 247000 for nn23lo1)
      character*7 pdl, epal
      integer lhaidc, pdfgup(2), pdfsup(2)
      common/to_pdf/lhaidc,pdl,epal

      double precision pmass(nexternal)
      common/to_mass/  pmass
      integer          isum_hel
      logical                    multi_channel
      common/to_matrix/isum_hel, multi_channel
      integer        lbw(0:nexternal)
      common /to_BW/ lbw
      integer            mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      logical init_mode
      common /to_determine_zero_hel/init_mode
      integer idup(nexternal,maxproc,maxsproc)
      integer mothup(2,nexternal)
      integer icolup(2,nexternal,maxflow,maxsproc)
      include 'leshouche.inc'
      character*30 param_card_name
      integer i
      integer amp2_prior, scale_strat
      common /madnis_prior/ amp2_prior, scale_strat

c     MG5's diagnostics (unit 6) go to a log file in the run directory,
c     not to the host's stdout.
      open(unit=6, file='mg5_fortran.log', status='unknown')
      param_card_name = 'param_card.dat'
      call setrun
      call setpara(param_card_name)
      include 'pmass.inc'
      call setcuts
c     Full matrix element (no SDE factor inside SMATRIX), exact
c     helicity sum, no Breit-Wigner splitting of channels.
      isum_hel = 0
      multi_channel = .false.
      init_mode = .false.
      lbw(0) = 0
      call init_good_hel()

      ndim_out = 3*(nexternal-nincoming)-4
      if (ndim_out .lt. 0) ndim_out = 0
      if (nincoming.gt.1.and.abs(lpp(1)) .ge. 1) ndim_out=ndim_out+1
      if (nincoming.gt.1.and.abs(lpp(2)) .ge. 1) ndim_out=ndim_out+1
      next_out = nexternal
      nconf_out = mapconfig(0)
      maxsproc_out = maxsproc
      lpp_out(1) = lpp(1)
      lpp_out(2) = lpp(2)
      ebeam_out(1) = ebeam(1)
      ebeam_out(2) = ebeam(2)
c     prior=amp2: the prior (and MATRIX's AMP2) as with sde_strategy 1,
c     whatever the run card says; the scale keeps the card's strategy
      scale_strat = sde_strat
      if (amp2_prior .ne. 0) sde_strat = 1
      sde_out = scale_strat
      do i = 1, nexternal
         pmass_out(i) = pmass(i)
         idup_out(i) = idup(i,1,1)
      enddo
      call get_pdfup(pdl, pdfgup, pdfsup, lhaidc)
      pdfid_out = pdfsup(1)
c     use_syst (run card): MadEvent writes its per-event systematics
c     block <mgrwt>, filled by REWGT in /TO_SYST/
      syst_out = 0
      if (use_syst) syst_out = 1
      end

c     Subprocesses of the P folder per point: 0 all evaluated and summed;
c     1 one drawn (subprocess=sample, madnis_mg5_point).
      subroutine madnis_mg5_set_subprocess(mode)
      implicit none
      integer mode
      integer sample_sub
      common /madnis_subproc/ sample_sub
      sample_sub = mode
      end

c     The prior channel weights: 0 MadEvent's for the run card's
c     sde_strategy; 1 AMP2(config) * GET_CHANNEL_CUT as sde_strategy 1
c     builds them, also where the card says 2 (set before madnis_mg5_init).
      subroutine madnis_mg5_set_prior(mode)
      implicit none
      integer mode
      integer amp2_prior, scale_strat
      common /madnis_prior/ amp2_prior, scale_strat
      amp2_prior = mode
      end

c     How the scale is clustered (madnis_scale.f): 0 along the config
c     picked from the momenta (channel-independent f), 1 along the
c     channel's own (MadEvent's).
      subroutine madnis_mg5_set_clustering(mode)
      implicit none
      integer mode
      integer by_channel
      common /madnis_clustering/ by_channel
      by_channel = mode
      end

c     MAPCONFIG(i): graph number of config index i (1-based).
      integer function madnis_mg5_mapconfig(i)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      integer i
      integer            mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      madnis_mg5_mapconfig = mapconfig(i)
      end

c ----------------------------------------------------------------------
c Switch to config index icfg (1-based): replicates what driver.f does
c before sample_full (map_invarients + PDF dimensions) and what gen_mom
c does on its first call (configure_integral: poles/widths, symconf).
c ----------------------------------------------------------------------
      subroutine madnis_mg5_set_channel(icfg)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'run.inc'
      integer icfg
      integer           minvar(maxdim,lmaxconfigs)
      common /to_invar/ minvar
      integer           mincfig, maxcfig
      common/to_configs/mincfig, maxcfig
      integer            mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      double precision      spole(maxinvar),swidth(maxinvar),bwjac
      common/to_brietwigner/spole          ,swidth          ,bwjac
      integer nconfigs, ninvar, nb_tchannel, ndim, j, graph
      double precision maxwgt

c     set_peaks resets only spole/swidth(1:nexternal-2), not the s-hat
c     entry: clear all, or the previous channel's pole mapping survives.
      do j = 1, maxinvar
         spole(j) = 0d0
         swidth(j) = 0d0
      enddo
      graph = mapconfig(icfg)
      mincfig = graph
      maxcfig = graph
      minvar(1,1) = 0
      nconfigs = 1
      call map_invarients(minvar,nconfigs,ninvar,mincfig,maxcfig,
     &     nexternal,nincoming,nb_tchannel)
      ndim = 3*(nexternal-nincoming)-4
      if (ndim .lt. 0) ndim = 0
      if (nincoming.gt.1.and.abs(lpp(1)) .ge. 1) ndim=ndim+1
      if (nincoming.gt.1.and.abs(lpp(2)) .ge. 1) ndim=ndim+1
      ninvar = ndim
      do j=mincfig,maxcfig
         if (abs(lpp(1)) .ge. 1 .and. abs(lpp(1)) .ge. 1) then
            if(ndim.gt.1) minvar(ndim-1,j)=ninvar-1
            minvar(ndim,j) = ninvar
         elseif (abs(lpp(1)) .ge. 1 .or. abs(lpp(1)) .ge. 1) then
            minvar(ndim,j) = ninvar
         endif
      enddo
      call configure_integral(graph,mincfig,maxcfig,ninvar,maxwgt)
      end

c ----------------------------------------------------------------------
c Replacement for dsample.f's sample_get_x (the original is weakened in
c our copy of libdsample.a): dimension j takes u(j) from the caller
c instead of MG5's adaptive grid, then applies MG5's own pole mapping
c (transpole) and its Jacobian. Same as MG5 with a flat grid.
c ----------------------------------------------------------------------
      subroutine sample_get_x(wgt, x, j, ipole, xmin, xmax)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      double precision wgt, x, xmin, xmax
      integer j, ipole
      double precision madnis_u(maxdim)
      common /madnis_ucom/ madnis_u
      integer           minvar(maxdim,lmaxconfigs)
      common /to_invar/ minvar
      double precision      spole(maxinvar),swidth(maxinvar),bwjac
      common/to_brietwigner/spole        ,swidth        ,bwjac
      integer ij
      double precision ymin, ymax, y, jdum, xlo, xhi

      ij = minvar(j,ipole)
      if (ij .gt. 0) then
         if (swidth(ij) .gt. 0d0) then
c           untranspole(pole, width, uniform out, physical in, jac)
            xlo = xmin
            xhi = xmax
            call untranspole(spole(ij),swidth(ij),ymin,xlo,jdum)
            call untranspole(spole(ij),swidth(ij),ymax,xhi,jdum)
            y = ymin + (ymax-ymin)*madnis_u(j)
            wgt = wgt*(ymax-ymin)
            call transpole(spole(ij),swidth(ij),y,x,wgt)
            return
         endif
      endif
      x = xmin + (xmax-xmin)*madnis_u(j)
      wgt = wgt*(xmax-xmin)
      end

c     Replacement for unwgt.f's UNWGT (weakened in our copy of unwgt.o):
c     event storage is the caller's business.
      subroutine unwgt(px,wgt,numproc)
      implicit none
      double precision px(*), wgt
      integer numproc
      end

c ----------------------------------------------------------------------
c One point. u(ndim) in [0,1); icfg: config index (1-based) whose
c phase-space map draws the point; iscfg: the config DSIGPROC is told
c (icfg, except for diagnostics: f as channel iscfg evaluates it at the
c same momenta P1); ircfg:
c the config whose diagram describes the event record: icfg, or for a
c symmetric copy (symfact.dat factor -g) the config of graph g, since
c the record holds P1 = P(PERMS), in which the copy's diagram is g's
c (where g has a diagram in the chosen subprocess);
c cls(mapconfig(0)): channel (1-based) each config's prior adds to, 0 =
c none; nch: number of channels; rsel, rcol: uniforms for the event
c record. Outputs: wgt_out (pb), alpha(nch), pout(0:3,nexternal) lab
c frame, pdg(nexternal), x1, x2, muf, mur, as_out, aqed_out, and with
c want_rec: hel, col, resonances (res, rescol), nqcd_out, totfact_out.
c ----------------------------------------------------------------------
      subroutine madnis_mg5_point(icfg, iscfg, ircfg, u, cls, nch,
     &     rsel, rcol,
     &     wgt_out, alpha, pout, pdg, x1, x2, muf, mur, as_out,
     &     aqed_out, hel, col, res, rescol, maxres, nqcd_out,
     &     totfact_out, want_rec)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      include 'run.inc'
      include 'coupl.inc'
      integer icfg, iscfg, ircfg, nch, cls(*), pdg(nexternal)
      integer hel(nexternal)
      integer col(2,nexternal), maxres, res(2,maxres), want_rec
      integer rescol(2,maxres), nqcd_out
      integer by_channel, need1
      common /madnis_clustering/ by_channel
      integer sample_sub
      common /madnis_subproc/ sample_sub
      double precision selp(2,maxsproc), sumprob, fsub, acc
      integer isub, ksub, nsub
      logical picked
      double precision sub_floor, sub_other
      parameter (sub_floor=0.05d0, sub_other=0.1d0)
      double precision ssel(2*maxsproc), fsel(2*maxsproc)
      double precision gsel(2*maxsproc)
      double precision pq(0:3,nexternal)
      double precision totfact_out
      double precision u(*), rsel, rcol, wgt_out, alpha(*)
      double precision pout(0:3,nexternal), x1, x2, muf, mur
      double precision as_out, aqed_out

      double precision madnis_u(maxdim)
      common /madnis_ucom/ madnis_u
      integer           mincfig, maxcfig
      common/to_configs/mincfig, maxcfig
      integer            mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      double precision amp2(maxamps), jamp2(0:maxflow)
      common/to_amps/  amp2,       jamp2
      logical cutsdone, cutspassed
      common/to_cutsdone/cutsdone, cutspassed
      integer last_iconf
      common/to_last_iconf/last_iconf
      double precision cm_rap
      logical set_cm_rap
      common/to_cm_rap/set_cm_rap,cm_rap
      integer subdiag(maxsproc), ib(2)
      common/to_sub_diag/subdiag, ib
      integer          ipsel
      common /subproc/ ipsel
c     DSIG sets IPROC/IMIRROR in /to_mirror/ before calling DSIGPROC;
c     cluster/findmt (setclscales), rewgt and others index arrays with
c     them. Left at 0 they read out of bounds (segfault with dynamical
c     scales, which cluster every event).
      integer          mg_imirror, mg_iproc
      common/to_mirror/mg_imirror, mg_iproc
      character*101         hel_buff
      common/to_helicity/  hel_buff
      integer hsel(nexternal,2*maxsproc)
      integer confsub(maxsproc,lmaxconfigs)
      include 'config_subproc_map.inc'
      logical mirrorprocs(maxsproc)
      include 'mirrorprocs.inc'
      integer idup(nexternal,maxproc,maxsproc)
      integer mothup(2,nexternal)
      integer icolup(2,nexternal,maxflow,maxsproc)
      include 'leshouche.inc'
c     ICOLAMP(flow, config, subprocess): colour flows a config's
c     diagram contributes to (what addmothers.f selects among)
      include 'coloramps.inc'
c     PERMS(j, graph): DSIGPROC evaluates a symmetric copy config at
c     the permuted momenta P1(:,j) = P(:,PERMS(j,graph)) (SWITCHMOM);
c     its amplitudes, helicities and colours belong to P1, so the prior
c     and the event record use P1 too
      integer perms(nexternal,lmaxconfigs)
      include 'symperms.inc'
c     the channel's diagram: daughters of each propagator, s-channel
c     PDG ids per subprocess, and masses and widths (props.inc)
      integer iforest(2,-max_branch:-1,lmaxconfigs)
      common/to_forest/ iforest
      integer sprop(maxsproc,-max_branch:-1,lmaxconfigs)
      integer tprid(-max_branch:-1,lmaxconfigs)
      common/to_sprop/sprop,tprid
      double precision prmass(-nexternal:0,lmaxconfigs)
      double precision prwidth(-nexternal:0,lmaxconfigs)
      integer pow(-nexternal:0,lmaxconfigs)
      logical props_set
      save props_set, prmass, prwidth, pow
      data props_set/.false./
      integer dmask(-max_branch:nexternal), nres, ir, ida, jd2
c     colour, anticolour of each external (P order) and propagator
      integer pcol(2,-max_branch:nexternal), kc, ka, ncr, nar, icolr
      integer rcfg
      logical lc, used(2,2)
c     systematics block of each subprocess/mirror (REWGT's /TO_SYST/)
      integer nqsel(2*maxsproc)
      double precision rwsel(2*maxsproc)
      integer get_color
      external get_color
      double precision q(0:3), xm, zero
      parameter (zero=0d0)

      double precision dsigproc, get_channel_cut
      external dsigproc, get_channel_cut
      logical pass_point
      external pass_point

      integer symconf(0:lmaxconfigs)
      double precision x(maxinvar), wgt, p(0:3,nexternal+1)
      double precision pk(0:3,nexternal), d, w1, a(lmaxconfigs), xt
      double precision pp(0:3,nexternal)
      double precision total, abstot, xb1, xb2, rap, ch, sh, e, pz
      double precision dsel(2*maxsproc), xdum
      double precision jsel(maxflow,2*maxsproc), target(maxflow)
      integer isel(2*maxsproc), ksel(2*maxsproc), psel(2*maxsproc)
      integer nsel, ndim, i, k, c, jd, ninvar, is, j, ic, nc
      double precision pi
      parameter (pi=3.141592653589793d0)

      ndim = 3*(nexternal-nincoming)-4
      if (ndim .lt. 0) ndim = 0
      if (nincoming.gt.1.and.abs(lpp(1)) .ge. 1) ndim=ndim+1
      if (nincoming.gt.1.and.abs(lpp(2)) .ge. 1) ndim=ndim+1
      ninvar = max(2,ndim)
      do i = 1, ndim
         madnis_u(i) = u(i)
      enddo
      do c = 1, nch
         alpha(c) = 0d0
      enddo
      wgt_out = 0d0
      wgt = 1d0
      call x_to_f_arg(ndim,icfg,mincfig,maxcfig,ninvar,wgt,x,p)
      do j = 1, nexternal
         do i = 0, 3
            pp(i,j) = p(i,perms(j,mapconfig(icfg)))
         enddo
      enddo
c     what DSIGPROC gets: momenta that config iscfg's permutation (it
c     applies it) turns into P1 = pp; p itself when iscfg = icfg
      do j = 1, nexternal
         do i = 0, 3
            pq(i,perms(j,mapconfig(iscfg))) = pp(i,j)
         enddo
      enddo
      xb1 = xbk(1)
      xb2 = xbk(2)
      total = 0d0
      abstot = 0d0
      nsel = 0
      if (wgt .ne. 0d0 .and. pass_point(p)) then
         cutsdone = .false.
         cutspassed = .false.
         symconf(0) = 1
         symconf(1) = iscfg
         last_iconf = 0
         isub = 0
         ksub = 0
         fsub = 1d0
         if (sample_sub .ne. 0) then
c           subprocess=sample: one (subprocess, mirror) per point, drawn
c           with rsel with probability (1-sub_floor) L/sum(L) +
c           sub_floor/n from the PDF luminosities L (DSIGPROC IMODE 4, at
c           the first clustering's scale), as MadEvent picks one; its
c           weight is divided by that probability. The floor keeps every
c           (subprocess, mirror) drawable: unbiased whatever the PDFs.
            sumprob = 0d0
            nsub = 0
            do i = 1, maxsproc
               do k = 1, 2
                  selp(k,i) = -1d0
                  if ((by_channel .eq. 0 .or. confsub(i,iscfg) .ne. 0)
     &                 .and. (k .eq. 1 .or. mirrorprocs(i))) then
                     mg_iproc = i
                     mg_imirror = k
                     w1 = 1d0
                     selp(k,i) = abs(dsigproc(pq,1,i,k,symconf,confsub,
     &                    w1,4))
c                    the channel's own diagram's subprocesses dominate
c                    where its map puts points
                     if (confsub(i,iscfg) .eq. 0) selp(k,i) =
     &                    sub_other*selp(k,i)
                     if (k .eq. 2) call madnis_swap_beams()
                     sumprob = sumprob + selp(k,i)
                     nsub = nsub + 1
                  endif
               enddo
            enddo
c           probabilities, then the first whose cumulative sum passes
c           rsel (rounding: the last one)
            picked = .false.
            acc = 0d0
            do i = 1, maxsproc
               do k = 1, 2
                  if (selp(k,i) .ge. 0d0 .and. .not. picked) then
                     fsub = 1d0/nsub
                     if (sumprob .gt. 0d0) fsub = (1d0-sub_floor)*
     &                    selp(k,i)/sumprob + sub_floor/nsub
                     isub = i
                     ksub = k
                     acc = acc + fsub
                     picked = rsel .lt. acc
                  endif
               enddo
            enddo
            fsub = 1d0/fsub
         endif
         do i = 1, maxsproc
c          MadEvent's channel sums the subprocesses that have its diagram
c          and clusters once, along its diagram; one f for all channels
c          sums them all and clusters each (I, K) as MadEvent's final
c          DSIGPROC call does
           if (by_channel .eq. 0 .or. confsub(i,iscfg) .ne. 0) then
            do k = 1, 2
             if ((k .eq. 1 .or. mirrorprocs(i)) .and. (isub .eq. 0
     &            .or. (i .eq. isub .and. k .eq. ksub))) then
               do j = 1, maxamps
                  amp2(j) = 0d0
               enddo
c              MATRIX accumulates |JAMP|^2 per colour flow; with
c              MULTI_CHANNEL off SMATRIX does not zero it
               do j = 1, maxflow
                  jamp2(j) = 0d0
               enddo
               w1 = 1d0
               mg_iproc = i
               mg_imirror = k
               if (by_channel .eq. 0) cutsdone = .false.
               call madnis_force_config(0)
               d = dsigproc(pq,1,i,k,symconf,confsub,w1,0)
               if (k .eq. 2) call madnis_swap_beams()
               call madnis_pass1_needed(need1)
               if (need1 .ne. 0 .and. d .ne. 0d0) then
c                 that evaluation's AMP2 gives MadEvent's largest prior;
c                 where its config is not the one the scale was just
c                 clustered along, evaluate again clustered along it
                  call madnis_mirrored(pp, k, pk)
                  call madnis_pick_config(i, pk)
                  call madnis_pass2_needed(need1)
                  if (need1 .ne. 0) then
                     do j = 1, maxamps
                        amp2(j) = 0d0
                     enddo
                     do j = 1, maxflow
                        jamp2(j) = 0d0
                     enddo
                     cutsdone = .false.
                     w1 = 1d0
                     d = dsigproc(pq,1,i,k,symconf,confsub,w1,0)
                     if (k .eq. 2) call madnis_swap_beams()
                  endif
               endif
               call madnis_force_config(0)
               d = d*fsub
               if (d .ne. 0d0) then
c                 prior exactly as SMATRIX<i> builds it (MULTI_CHANNEL)
                  call madnis_mirrored(pp, k, pk)
                  xt = 0d0
                  do c = 1, mapconfig(0)
                     a(c) = 0d0
                     jd = confsub(i,c)
                     if (jd .ne. 0) then
                        if (sde_strat .eq. 1) then
                           a(c) = amp2(jd)*get_channel_cut(pk,c)
                        else
                           a(c) = get_channel_cut(pk,c)
                        endif
                        xt = xt + a(c)
                     endif
                  enddo
                  if (xt .gt. 0d0) then
                     do c = 1, mapconfig(0)
                        if (cls(c) .gt. 0) alpha(cls(c)) =
     &                       alpha(cls(c)) + abs(d)*a(c)/xt
                     enddo
                  endif
                  total = total + d
                  abstot = abstot + abs(d)
                  nsel = nsel + 1
                  dsel(nsel) = abstot
                  isel(nsel) = i
                  ksel(nsel) = k
                  psel(nsel) = ipsel
                  ssel(nsel) = scale
                  fsel(nsel) = q2fact(1)
                  gsel(nsel) = g
c                 helicity SMATRIX picked (with the reseeded RANMAR)
c                 and colour weights, for an event record only
                  if (want_rec .ne. 0) then
                     read(hel_buff,'(20I5)') (hsel(j,nsel),j=1,nexternal)
                     do j = 1, maxflow
                        jsel(j,nsel) = jamp2(j)
                     enddo
                     nqsel(nsel) = n_qcd - n_alpsem
                     rwsel(nsel) = s_rwfact
                  endif
               endif
             endif
            enddo
           endif
         enddo
         last_iconf = -1
      endif
      wgt_out = wgt*total

      if (abstot .gt. 0d0) then
         do c = 1, nch
            alpha(c) = alpha(c)/abstot
         enddo
      else
c        no matrix element here (cuts): prior from the propagator
c        structure (sde_strat 2) or flat
         xt = 0d0
         do c = 1, mapconfig(0)
            a(c) = 0d0
            if (sde_strat .eq. 2 .and. confsub(1,c) .ne. 0)
     &           a(c) = get_channel_cut(pp,c)
            xt = xt + a(c)
         enddo
         do c = 1, mapconfig(0)
            if (cls(c) .gt. 0) then
               if (xt .gt. 0d0) then
                  alpha(cls(c)) = alpha(cls(c)) + a(c)/xt
               else
                  alpha(cls(c)) = alpha(cls(c)) + 1d0/mapconfig(0)
               endif
            endif
         enddo
      endif

c     event record: subprocess/mirror picked with probability |d|
      is = 1
      do j = 1, nsel
         if (rsel*abstot .lt. dsel(j)) then
            is = j
            goto 10
         endif
      enddo
 10   continue
      rap = 0.5d0*log(xb1*ebeam(1)/(xb2*ebeam(2)))
      do j = 1, nexternal
         pk(0,j) = pp(0,j)
         pk(1,j) = pp(1,j)
         pk(2,j) = pp(2,j)
         pk(3,j) = pp(3,j)
         pdg(j) = idup(j,1,1)
         hel(j) = 9
         col(1,j) = 0
         col(2,j) = 0
      enddo
      do ir = 1, maxres
         res(1,ir) = 0
         res(2,ir) = 0
         rescol(1,ir) = 0
         rescol(2,ir) = 0
      enddo
      nqcd_out = -1
      totfact_out = 0d0
      x1 = xb1
      x2 = xb2
      if (nsel .gt. 0) then
         do j = 1, nexternal
            pdg(j) = idup(j,max(psel(is),1),isel(is))
         enddo
      endif
c     helicities, colour flow and resonances: only when the caller keeps
c     the event record (not while training or integrating)
      if (nsel .gt. 0 .and. want_rec .ne. 0) then
         do j = 1, nexternal
            hel(j) = hsel(j,is)
         enddo
         if (use_syst) then
            nqcd_out = nqsel(is)
            totfact_out = rwsel(is)
         endif
c        the record's diagram: the class config's (ircfg) where it has
c        one in the chosen subprocess, else the channel's own, its leaves
c        at their P1 positions (a class config's PERMS is the identity)
         rcfg = ircfg
         if (confsub(isel(is),ircfg) .eq. 0) rcfg = icfg
c        a subprocess without the channel's diagram (summed for one f):
c        its first config with identity permutation, else its first
         if (confsub(isel(is),rcfg) .eq. 0) then
            do c = mapconfig(0), 1, -1
               if (confsub(isel(is),c) .ne. 0) rcfg = c
            enddo
            do c = 1, mapconfig(0)
               if (confsub(isel(is),c) .ne. 0) then
                  do j = 1, nexternal
                     if (perms(j,mapconfig(c)) .ne. j) goto 15
                  enddo
                  rcfg = c
                  goto 16
               endif
 15            continue
            enddo
 16         continue
         endif
c        colour flow as addmothers.f picks it: among the flows the
c        record's diagram contributes to (ICOLAMP), with probability
c        |JAMP|^2 summed over helicities; all flows if none is left
         nc = 0
         xt = 0d0
         lc = .true.
         do ic = 1, maxflow
            if (ic .le. size(icolamp,1)) then
               if (icolamp(ic,rcfg,isel(is))) xt = xt + jsel(ic,is)
            endif
            target(ic) = xt
            if (jsel(ic,is) .gt. 0d0) nc = ic
         enddo
         if (xt .le. 0d0) then
c           not a leading-colour flow of the diagram: MadEvent then
c           writes no intermediate particle (addmothers.f's is_LC)
            lc = .false.
            do ic = 1, maxflow
               xt = xt + jsel(ic,is)
               target(ic) = xt
            enddo
         endif
         if (xt .gt. 0d0) then
            ic = 1
            do while (target(ic) .le. rcol*xt .and. ic .lt. nc)
               ic = ic + 1
            enddo
            do j = 1, nexternal
               col(1,j) = icolup(1,j,ic,isel(is))
               col(2,j) = icolup(2,j,ic,isel(is))
            enddo
         endif
c        resonances to write (as addmothers.f does with ickkw = 0): the
c        s-channel propagators of the channel's diagram that are within
c        bwcutoff widths of their mass, coloured ones (t of t > b W)
c        included, of the record's diagram (rcfg); decay products as a
c        bit mask over the externals of P1. A propagator's colour is what its two
c        daughters leave once a colour of one meets the same anticolour
c        of the other (addmothers.f's elim_indices, without its epsilon
c        vertices: a propagator whose colour does not come out as its
c        representation's is not written).
         if (.not. props_set) then
            include 'props.inc'
            props_set = .true.
         endif
         do j = 1, nexternal
            dmask(j) = 0
            pcol(1,j) = 0
            pcol(2,j) = 0
            do i = 1, nexternal
               if (perms(i,mapconfig(rcfg)) .eq. j) then
                  dmask(j) = ibset(dmask(j), i-1)
                  pcol(1,j) = col(1,i)
                  pcol(2,j) = col(2,i)
               endif
            enddo
         enddo
         nres = 0
         if (.not. lc) goto 20
         do i = -1, -(nexternal-3), -1
            if (iforest(1,i,rcfg) .eq. 1 .or.
     &          iforest(1,i,rcfg) .eq. 2) goto 20
            dmask(i) = 0
            do jd2 = 1, 2
               ida = iforest(jd2,i,rcfg)
               dmask(i) = ior(dmask(i), dmask(ida))
               used(1,jd2) = .false.
               used(2,jd2) = .false.
            enddo
c           contract colour lines running between the two daughters
            do kc = 1, 2
               do ka = 1, 2
                  if (kc .ne. ka .and. .not. used(1,kc) .and.
     &                .not. used(2,ka) .and.
     &                pcol(1,iforest(kc,i,rcfg)) .ne. 0 .and.
     &                pcol(1,iforest(kc,i,rcfg)) .eq.
     &                pcol(2,iforest(ka,i,rcfg))) then
                     used(1,kc) = .true.
                     used(2,ka) = .true.
                  endif
               enddo
            enddo
            pcol(1,i) = 0
            pcol(2,i) = 0
            ncr = 0
            nar = 0
            do jd2 = 1, 2
               ida = iforest(jd2,i,rcfg)
               if (pcol(1,ida) .ne. 0 .and. .not. used(1,jd2)) then
                  ncr = ncr + 1
                  pcol(1,i) = pcol(1,ida)
               endif
               if (pcol(2,ida) .ne. 0 .and. .not. used(2,jd2)) then
                  nar = nar + 1
                  pcol(2,i) = pcol(2,ida)
               endif
            enddo
            if (sprop(isel(is),i,rcfg) .eq. 0) cycle
            if (prwidth(i,rcfg) .le. 0d0) cycle
            icolr = get_color(sprop(isel(is),i,rcfg))
            if (.not. ((icolr .eq. 1 .and. ncr+nar .eq. 0) .or.
     &          (icolr .eq. 3 .and. ncr .eq. 1 .and. nar .eq. 0) .or.
     &          (icolr .eq. -3 .and. ncr .eq. 0 .and. nar .eq. 1) .or.
     &          (icolr .eq. 8 .and. ncr .eq. 1 .and. nar .eq. 1)))
     &           cycle
            do j = 0, 3
               q(j) = 0d0
               do k = 3, nexternal
                  if (btest(dmask(i), k-1)) q(j) = q(j) + pp(j,k)
               enddo
            enddo
            xm = sqrt(max(0d0, q(0)**2-q(1)**2-q(2)**2-q(3)**2))
            if (abs(xm-prmass(i,rcfg)) .ge. bwcutoff*prwidth(i,rcfg))
     &           cycle
            if (nres .lt. maxres) then
               nres = nres + 1
               res(1,nres) = sprop(isel(is),i,rcfg)
               res(2,nres) = dmask(i)
               rescol(1,nres) = pcol(1,i)
               rescol(2,nres) = pcol(2,i)
            endif
         enddo
 20      continue
c        outermost first (the innermost propagators come first in MG5)
         do ir = 1, nres/2
            do j = 1, 2
               i = res(j,ir)
               res(j,ir) = res(j,nres+1-ir)
               res(j,nres+1-ir) = i
               i = rescol(j,ir)
               rescol(j,ir) = rescol(j,nres+1-ir)
               rescol(j,nres+1-ir) = i
            enddo
         enddo
      endif

      if (nsel .gt. 0) then
         if (ksel(is) .eq. 2) then
c           mirror: parton 1 comes from beam 2; swap initial slots
            do j = 0, 3
               xdum = pk(j,1)
               pk(j,1) = pk(j,2)
               pk(j,2) = xdum
            enddo
            do j = 1, nexternal
               pk(2,j) = -pk(2,j)
               pk(3,j) = -pk(3,j)
            enddo
            i = pdg(1)
            pdg(1) = pdg(2)
            pdg(2) = i
            i = hel(1)
            hel(1) = hel(2)
            hel(2) = i
            do j = 1, 2
               i = col(j,1)
               col(j,1) = col(j,2)
               col(j,2) = i
            enddo
            x1 = xb2
            x2 = xb1
            rap = -rap
         endif
      endif
      ch = cosh(rap)
      sh = sinh(rap)
      do j = 1, nexternal
         e = pk(0,j)
         pz = pk(3,j)
         pout(0,j) = e*ch + pz*sh
         pout(1,j) = pk(1,j)
         pout(2,j) = pk(2,j)
         pout(3,j) = pz*ch + e*sh
      enddo
      if (abs(lpp(1)) .lt. 1) x1 = 1d0
      if (abs(lpp(2)) .lt. 1) x2 = 1d0
      muf = sqrt(max(q2fact(1),0d0))
      mur = scale
      as_out = g*g/(4d0*pi)
c     the scales of the subprocess the record shows (each is clustered
c     on its own with the default clustering)
      if (nsel .gt. 0) then
         muf = sqrt(max(fsel(is),0d0))
         mur = ssel(is)
         as_out = gsel(is)**2/(4d0*pi)
      endif
      aqed_out = abs(gal(1))**2/(4d0*pi)
      end

c     After DSIGPROC of a mirror (K = 2), which swaps the beams: swaps
c     them back (x of each beam and the rapidity of the centre of mass).
      subroutine madnis_swap_beams()
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      include 'run.inc'
      double precision cm_rap, xdum
      logical set_cm_rap
      common/to_cm_rap/set_cm_rap,cm_rap
      xdum = xbk(1)
      xbk(1) = xbk(2)
      xbk(2) = xdum
      cm_rap = -cm_rap
      end

c     The momenta as mirror K of a subprocess sees them: pp itself for
c     K = 1, reflected along the beam axis (y and z negated) for K = 2.
      subroutine madnis_mirrored(pp, k, pk)
      implicit none
      include 'nexternal.inc'
      double precision pp(0:3,nexternal), pk(0:3,nexternal)
      integer k, j
      do j = 1, nexternal
         pk(0,j) = pp(0,j)
         pk(1,j) = pp(1,j)
         pk(2,j) = pp(2,j)
         pk(3,j) = pp(3,j)
         if (k .eq. 2) then
            pk(2,j) = -pp(2,j)
            pk(3,j) = -pp(3,j)
         endif
      enddo
      end

c     Flushes MadEvent's log (unit 6) before the host exits on a STOP.
      subroutine madnis_mg5_flush()
      implicit none
      flush(6)
      end

c     driver.f's open_file_local (driver.o is not linked): opens a file
c     of the working directory, if present.
      subroutine open_file_local(lun,filename,fopened)
      implicit none
      integer lun
      logical fopened
      character*(*) filename
      fopened = .false.
      open(unit=lun,file=filename,status='old',err=20)
      fopened = .true.
 20   return
      end
