"""madnis-ts's MG5 plugin (installed by `madnis-ts mg5-plugin install`).

Inside MG5:
    output madnis DIR   writes DIR exactly as `output madevent DIR` does, then has madnis-ts
                        add DIR/madnis.yaml (the training settings, documented)
    launch DIR          for such a folder: MG5's usual questions (switches, then the cards:
                        `set ptj 30`, `done`), then `madnis-ts launch --process-dir DIR`:
                        training, events in DIR/Events/run_XX, MG5's own run and the report

A thin layer: every step beyond MG5's own questions is the madnis-ts command line, whose
path `madnis-ts mg5-plugin install` wrote into madnis_ts.json beside this file.

MG5 3.1 has no hook for a plugin's `launch`, and writes a MadEvent folder's configuration
only for the output format 'madevent'. So the exporter hands that format back to MG5 once
it is chosen (MG5 then writes exactly a MadEvent folder), and the MG5 session that ran
`output madnis` launches madnis folders with madnis-ts. In a new session start MG5 as
`mg5_aMC --mode=madnis` to do the same; a plain MG5 session launches the folder with
MadEvent's own integration, as for any MadEvent folder.
"""
import json
import logging
import os
import subprocess

import madgraph
import madgraph.iolibs.export_v4 as export_v4
import madgraph.interface.master_interface as master_interface

logger = logging.getLogger('madgraph.madnis')

HERE = os.path.dirname(os.path.realpath(__file__))
# what `madnis-ts mg5-plugin output` writes: it marks a folder that madnis-ts launches
MARKER = 'madnis.yaml'
# MadEvent's run switches (shower, detector, ...) that madnis-ts's parton-level events cannot follow
OFF_VALUES = ('OFF', 'NOT AVAIL.', 'NOT AVAIL', 'NOT INSTALLED')


def madnis_ts():
    """The madnis-ts command line this plugin was installed by."""
    with open(os.path.join(HERE, 'madnis_ts.json')) as stream:
        installed = json.load(stream)
    return [installed['node'], installed['cli']]


def call_madnis_ts(args):
    logger.info('running madnis-ts %s' % ' '.join(args))
    status = subprocess.call(madnis_ts() + args)
    if status != 0:
        raise madgraph.InvalidCmd('madnis-ts %s stopped (exit code %d): see its message above' % (args[0], status))


class MadnisExporter(export_v4.ProcessExporterFortranMEGroup):
    """`output madnis DIR`: a MadEvent folder (grouped subprocesses), then madnis.yaml."""
    check = True          # ask before replacing an existing folder, as `output madevent` does
    exporter = 'v4'
    output = 'Template'   # MadEvent's template
    sa_symmetry = False

    def __init__(self, dir_path='', opt=None):
        opt = dict(opt or {})
        opt['export_format'] = 'madevent'
        super(MadnisExporter, self).__init__(dir_path, opt)

    def pass_information_from_cmd(self, cmd):
        if cmd.options.get('group_subprocesses') is False:
            raise madgraph.InvalidCmd('output madnis needs grouped subprocesses: set group_subprocesses Auto, then output again')
        # from here on MG5 writes what `output madevent` writes (see the module's comment)
        cmd._export_format = 'madevent'
        enable_madnis_launch(cmd)
        super(MadnisExporter, self).pass_information_from_cmd(cmd)

    def finalize(self, *args, **opts):
        super(MadnisExporter, self).finalize(*args, **opts)
        call_madnis_ts(['mg5-plugin', 'output', os.path.realpath(self.dir_path)])


def madnis_folder(cmd, line):
    """The folder `launch LINE` names (or the last output), when madnis-ts launches it; else None."""
    words = [word for word in cmd.split_arg(line) if not word.startswith('-')]
    if len(words) > 1:
        return None
    if words:
        path = os.path.realpath(words[0])
    elif getattr(cmd, '_done_export', None):
        path = cmd._done_export[0]
    else:
        return None
    return path if os.path.isfile(os.path.join(path, MARKER)) else None


def ask_run_questions(cmd, path, force):
    """MadEvent's launch questions, as MG5 asks them (the switches, then the cards)."""
    import madgraph.interface.madevent_interface as madevent_interface
    with madevent_interface.MadEventCmd.RunWebHandling(path):
        run = madevent_interface.MadEventCmd(me_dir=path, options=cmd.options, force_run=True)
        child = cmd.define_child_cmd_interface(run, interface=False)
        child.force = force
        switch = child.ask_run_configuration(mode=None, args=['-f'] if force else [])
        child.run_cmd('quit')
    unsupported = ['%s=%s' % (key, value) for key, value in switch.items()
                   if key in ('shower', 'detector', 'analysis', 'madspin', 'reweight')
                   and str(value).upper() not in OFF_VALUES]
    if unsupported:
        raise madgraph.InvalidCmd('madnis-ts writes parton-level events only: launch again with %s OFF' % ', '.join(unsupported))


def launch_madnis(cmd, line):
    """`launch DIR [-f] [--madnis-ts-option=VALUE ...]` on a madnis folder; False for any other folder."""
    path = madnis_folder(cmd, line)
    if path is None:
        return False
    args = cmd.split_arg(line)
    ask_run_questions(cmd, path, force='-f' in args)
    passed = [arg for arg in args if arg.startswith('--')]
    call_madnis_ts(['launch', '--process-dir', path, '--mg5', madgraph.MG5DIR] + passed)
    return True


def enable_madnis_launch(cmd):
    """This MG5 session launches madnis folders with madnis-ts, any other folder as before."""
    if getattr(cmd, 'madnis_launch_enabled', False):
        return
    mg5_launch = cmd.do_launch

    def do_launch(line, *args, **opts):
        if not launch_madnis(cmd, line):
            return mg5_launch(line, *args, **opts)

    cmd.do_launch = do_launch
    cmd.madnis_launch_enabled = True


class MadnisInterface(master_interface.MasterCmd):
    """`mg5_aMC --mode=madnis`: MG5 that launches madnis folders with madnis-ts from the start."""
    madnis_launch_enabled = True

    def do_launch(self, line, *args, **opts):
        if not launch_madnis(self, line):
            return super(MadnisInterface, self).do_launch(line, *args, **opts)


# MG5's plugin interface
new_output = {'madnis': MadnisExporter}
new_interface = MadnisInterface
new_cluster = {}
new_reweight = {}
minimal_mg5amcnlo_version = (3, 1, 0)
maximal_mg5amcnlo_version = (3, 1, 1000)
latest_validated_version = (3, 1, 1)
