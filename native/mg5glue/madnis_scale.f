c ======================================================================
c madnis-ts: a channel-independent clustering scale for MadEvent
c (madnis-ts' own code).
c
c MadEvent's dynamical scale (dynamical_scale_choice -1) and its xqcut
c check cluster the event in setclscales (reweight.f) along the diagrams
c of the channel being integrated: cut_bw (myamp.f) marks on-shell
c resonances of the channel's diagram (OnBW), cluster (cluster.f) takes
c them as Breit-Wigners (checkbw), restricts the graphs to the channel's
c (chcluster, and on the first event of a channel), and at the end keeps
c the channel's graph when it is among those left; the particle ids of
c that graph decide which lines are QCD (the scale's vertices). All of
c it reads the channel from ICONFIG (COMMON TO_MCONFIGS). The integrand
c f_c then depends on the channel c, and only MadEvent's own channel
c weights add up to its cross section.
c
c madnis_setclscales replaces the call of setclscales in passcuts
c (cuts.f). It calls MadEvent's setclscales unchanged, but with ICONFIG
c set to a config picked from the momenta alone, among the configs with
c a diagram in the current subprocess IPROC: the one with the largest
c MadEvent prior (the single-diagram-enhancement weight SMATRIX builds):
c  - sde_strategy 1: AMP2(CONFSUB(IPROC,c)) * GET_CHANNEL_CUT(p,c). AMP2
c    needs the matrix element, and the matrix element needs the scale:
c    the caller evaluates the matrix element once first (DSIGPROC with
c    IMODE 5), clustered along the config with the largest propagator
c    weight prod_i 1/((q_i^2-M_i^2)^2 + M_i^2 G_i^2) (width for
c    s-channel propagators only; q_i as in GET_CHANNEL_CUT), then
c    madnis_pick_config picks the config from its AMP2 and the point is
c    evaluated again, clustered along that config (madnis_force_config);
c  - sde_strategy 2: GET_CHANNEL_CUT(p,c), no first evaluation.
c Ties go to the lowest config. Around that call it recomputes OnBW for
c that config (cut_bw; its cut verdict is not used: the phase-space cuts
c stay the channel's), forgets the jets it stored for that config
c (njetstore: MadEvent stores them from the first event of a channel,
c which makes the scale depend on the history), and reloads the
c clustering's graph table when the config's QCD order differs from the
c table's (filmap keeps only configs of one order). Afterwards ICONFIG
c and OnBW are restored.
c
c Where MadEvent does not cluster (fixed scales or dynamical choices
c 1-4 without xqcut or ickkw) it changes nothing. With ickkw > 0 the
c CKKW/MLM weight (rewgt) clusters again along the channel: not made
c channel-independent here.
c
c The same file is compiled into the madnis-ts process library (built
c against the P folder's include files, cuts.o's call renamed by
c objcopy; madnis_mg5.f makes the first evaluation) and appended to the
c cuts.f of the MG5 baseline's copy of the process folder, whose
c DSIGPROC (auto_dsig.f) gets the first evaluation (src/mg5/
c clustering.ts), so that both integrate the same function.
c COMMON /madnis_clustering/ by_channel: 0 (default): as above;
c 1: MadEvent's own clustering along the channel.
c ======================================================================

      logical function madnis_setclscales(p, keepq2bck)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      include 'run.inc'
      include 'coupl.inc'
      double precision p(0:3,nexternal)
      logical keepq2bck
      integer imirror, iproc
      common/to_mirror/imirror, iproc
      integer mapconfig(0:lmaxconfigs), iconfig
      common/to_mconfigs/mapconfig, iconfig
      logical onbw(-nexternal:0)
      common/to_bwevents/onbw
      integer jlast(2)
      integer njetstore(lmaxconfigs),iqjetstore(nexternal-2,lmaxconfigs)
      real*8 q2bck(2)
      integer njets,iqjets(nexternal)
      common /to_rw/jlast,njetstore,iqjetstore,njets,iqjets,q2bck
      real*8 xptj,xptb,xpta,xptl,xmtc
      real*8 xetamin,xqcut,deltaeta
      common /to_specxpt/xptj,xptb,xpta,xptl,xmtc,xetamin,xqcut,deltaeta
      integer by_channel
      common /madnis_clustering/ by_channel
      integer forced, used
      common /madnis_forced/ forced, used
      integer nqcd(lmaxconfigs)
      include 'config_nqcd.inc'
      integer loaded_nqcd
      save loaded_nqcd
      data loaded_nqcd/-1/
      logical saved_onbw(-nexternal:0), ignored
      integer saved_config, c, i
      logical setclscales, cut_bw, filmap
      integer madnis_scale_config
      external setclscales, cut_bw, filmap, madnis_scale_config

c     MadEvent's own test for "nothing to cluster" (setclscales' first lines)
      used = 0
      if (by_channel .ne. 0 .or. (ickkw.le.0 .and. xqcut.le.0d0 .and.
     &     q2fact(1).gt.0 .and. scale.gt.0)) then
         madnis_setclscales = setclscales(p, keepq2bck)
         return
      endif
      c = madnis_scale_config(p, iproc)
      used = c
      if (c .eq. 0) then
         madnis_setclscales = setclscales(p, keepq2bck)
         return
      endif
      saved_config = iconfig
      iconfig = c
c     filmap takes the graphs of ICONFIG's QCD order (config_nqcd.inc)
      if (nqcd(c) .ne. loaded_nqcd) then
         if (.not. filmap()) then
            write(*,*) 'madnis_setclscales: cluster map failed'
            stop 1
         endif
         loaded_nqcd = nqcd(c)
      endif
      do i = -nexternal, 0
         saved_onbw(i) = onbw(i)
         onbw(i) = .false.
      enddo
      ignored = cut_bw(p)
      njetstore(c) = -1
      madnis_setclscales = setclscales(p, keepq2bck)
      iconfig = saved_config
      do i = -nexternal, 0
         onbw(i) = saved_onbw(i)
      enddo
      end

c     The config (1-based) the clustering follows at momenta p (as
c     passcuts sees them) in subprocess iproc; 0 if none has a diagram there.
      integer function madnis_scale_config(p, iproc)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      include 'coupl.inc'
      double precision p(0:3,nexternal)
      integer iproc
      integer mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      integer iforest(2,-max_branch:-1,lmaxconfigs)
      integer tstrategy(lmaxconfigs)
      common/to_forest/iforest, tstrategy
      integer sprop(maxsproc,-max_branch:-1,lmaxconfigs)
      integer tprid(-max_branch:-1,lmaxconfigs)
      common/to_sprop/sprop,tprid
      integer confsub(maxsproc,lmaxconfigs)
      include 'config_subproc_map.inc'
      double precision zero
      parameter (zero=0d0)
      double precision prmass(-nexternal:0,lmaxconfigs)
      double precision prwidth(-nexternal:0,lmaxconfigs)
      integer pow(-nexternal:0,lmaxconfigs)
      logical first_time
      save prmass, prwidth, pow, first_time
      data first_time/.true./
      double precision q(0:3,-nexternal:nexternal), s, m, den
      double precision score, best
      integer c, i, j, k, d
      integer forced, used
      common /madnis_forced/ forced, used
      double precision tmin_for_channel
      integer sde_strat
      common /to_channel_strat/ tmin_for_channel, sde_strat
      integer prior_strat, strat, madnis_scale_strat
      double precision get_channel_cut
      external get_channel_cut, madnis_scale_strat

      if (first_time) then
         include 'props.inc'
         first_time = .false.
      endif
      madnis_scale_config = 0
      best = 0d0
      if (iproc .lt. 1 .or. iproc .gt. maxsproc) return
c     the config madnis_pick_config found from the matrix element
      if (forced .gt. 0) then
         if (confsub(iproc,forced) .ne. 0) then
            madnis_scale_config = forced
            return
         endif
      endif
c     the config with the largest score: with sde_strategy 2 MadEvent's
c     prior, GET_CHANNEL_CUT, itself; else the propagator weight. The
c     run card's strategy, also where the library's prior is AMP2's
c     (madnis_mg5_set_prior): GET_CHANNEL_CUT reads sde_strat
      strat = madnis_scale_strat()
      prior_strat = sde_strat
      sde_strat = strat
      do c = 1, mapconfig(0)
         if (confsub(iproc,c) .eq. 0) cycle
         if (strat .eq. 2) then
            score = get_channel_cut(p, c)
         else
            do j = 1, nexternal
               do k = 0, 3
                  q(k,j) = p(k,j)
               enddo
            enddo
            score = 0d0
            do i = 1, nexternal-3
               do k = 0, 3
                  q(k,-i) = 0d0
               enddo
               do j = 1, 2
                  d = iforest(j,-i,c)
                  do k = 0, 3
                     if (d .eq. 1 .or. d .eq. 2) then
                        q(k,-i) = q(k,-i) - q(k,d)
                     else
                        q(k,-i) = q(k,-i) + q(k,d)
                     endif
                  enddo
               enddo
               s = q(0,-i)**2 - q(1,-i)**2 - q(2,-i)**2 - q(3,-i)**2
               m = prmass(-i,c)
               den = (s-m*m)**2
               if (tprid(-i,c) .eq. 0) den = den + (m*prwidth(-i,c))**2
               score = score - log(max(den, 1d-300))
            enddo
         endif
         if (madnis_scale_config .eq. 0 .or. score .gt. best) then
            best = score
            madnis_scale_config = c
         endif
      enddo
      sde_strat = prior_strat
      end

c     The config the scale of the next DSIGPROC call clusters along (0:
c     madnis_scale_config decides from the momenta).
      subroutine madnis_force_config(c)
      implicit none
      integer c
      integer forced, used
      common /madnis_forced/ forced, used
      forced = c
      end

c     need = 1 when the scale of a point is clustered along MadEvent's
c     own prior (sde_strategy 1: AMP2), which needs a first matrix
c     element evaluation (madnis_pick_config) before the one that counts.
      subroutine madnis_pass1_needed(need)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'run.inc'
      integer need
      real*8 xptj,xptb,xpta,xptl,xmtc
      real*8 xetamin,xqcut,deltaeta
      common /to_specxpt/xptj,xptb,xpta,xptl,xmtc,xetamin,xqcut,deltaeta
      integer by_channel
      common /madnis_clustering/ by_channel
      integer madnis_scale_strat
      external madnis_scale_strat
      need = 0
      if (by_channel .ne. 0 .or. madnis_scale_strat() .ne. 1) return
      if (ickkw .gt. 0 .or. xqcut .gt. 0d0 .or.
     &    (dynamical_scale_choice .eq. -1 .and.
     &     (.not. fixed_ren_scale .or. .not. fixed_fac_scale)))
     &     need = 1
      end

c     After a matrix element of subprocess iproc at p (P1 as passcuts
c     saw it): the next call clusters along the config with the largest
c     MadEvent prior, AMP2(CONFSUB(iproc,c)) * GET_CHANNEL_CUT(p,c), as
c     SMATRIX builds it for sde_strategy 1; ties to the lowest config.
c     Clears the cuts' cache so that the next passcuts clusters again.
      subroutine madnis_pick_config(iproc, p)
      implicit none
      include 'genps.inc'
      include 'maxconfigs.inc'
      include 'nexternal.inc'
      include 'maxamps.inc'
      integer iproc
      double precision p(0:3,nexternal)
      integer mapconfig(0:lmaxconfigs), this_config
      common/to_mconfigs/mapconfig, this_config
      double precision amp2(maxamps), jamp2(0:maxflow)
      common/to_amps/  amp2,       jamp2
      logical cutsdone, cutspassed
      common/to_cutsdone/cutsdone, cutspassed
      integer confsub(maxsproc,lmaxconfigs)
      include 'config_subproc_map.inc'
      integer forced, used
      common /madnis_forced/ forced, used
      double precision get_channel_cut, a, best
      external get_channel_cut
      integer c, jd, i
      integer          isum_hel
      logical                    multi_channel
      common/to_matrix/isum_hel, multi_channel
      forced = 0
      best = 0d0
      do c = 1, mapconfig(0)
         jd = confsub(iproc,c)
         if (jd .eq. 0) cycle
c        MadEvent's SMATRIX (MULTI_CHANNEL on) has multiplied AMP2
c        by GET_CHANNEL_CUT already; the library's (off) has not
         a = amp2(jd)
         if (.not. multi_channel) a = a*get_channel_cut(p,c)
         if (forced .eq. 0 .or. a .gt. best) then
            best = a
            forced = c
         endif
      enddo
      cutsdone = .false.
      end

c     After madnis_pick_config: need = 1 when the evaluation that counts
c     must be made again, i.e. when the config picked from AMP2 is not
c     the one the first evaluation's scale was clustered along. Where
c     they agree (the point's scale, PDFs and matrix element are then
c     those of the first evaluation) the first evaluation is the one
c     that counts: the matrix element is evaluated once.
      subroutine madnis_pass2_needed(need)
      implicit none
      integer need
      integer forced, used
      common /madnis_forced/ forced, used
      need = 0
      if (forced .ne. 0 .and. forced .ne. used) need = 1
      end

c     Matrix element cache of the MG5 baseline's DSIG<n> (its copy of
c     auto_dsig<n>.f, src/mg5/clustering.ts), whose first evaluation
c     (IMODE 5) stores no event: SMATRIX's value is kept, and when
c     madnis_pass2_needed says the second evaluation's scale is the
c     first's, madnis_reuse_me makes that evaluation take the kept value
c     instead of calling SMATRIX again (madnis_reused_me, once).
      subroutine madnis_keep_me(me)
      implicit none
      double precision me
      double precision kept
      integer reuse
      common /madnis_me/ kept, reuse
      kept = me
      end

      subroutine madnis_reuse_me(on)
      implicit none
      integer on
      double precision kept
      integer reuse
      common /madnis_me/ kept, reuse
      reuse = on
      end

c     me = the kept matrix element when reuse was asked for, else
c     unchanged; clears the request.
      subroutine madnis_reused_me(me)
      implicit none
      double precision me
      double precision kept
      integer reuse
      common /madnis_me/ kept, reuse
      if (reuse .ne. 0) me = kept
      reuse = 0
      end

c     The run card's sde_strategy, which the scale follows: sde_strat,
c     unless the library's prior is AMP2's whatever the card says
c     (madnis_mg5_set_prior in madnis_mg5.f set sde_strat to 1 and kept
c     the card's in scale_strat). In the MG5 baseline (this file appended
c     to cuts.f) nothing sets /madnis_prior/: sde_strat.
      integer function madnis_scale_strat()
      implicit none
      double precision tmin_for_channel
      integer sde_strat
      common /to_channel_strat/ tmin_for_channel, sde_strat
      integer amp2_prior, scale_strat
      common /madnis_prior/ amp2_prior, scale_strat
      madnis_scale_strat = sde_strat
      if (amp2_prior .ne. 0) madnis_scale_strat = scale_strat
      end
