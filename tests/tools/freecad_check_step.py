# SPDX-License-Identifier: MIT
"""Independent check of STEP files with FreeCAD's kernel, for the cad tests.

freecadcmd treats extra command-line arguments as documents to open, so the files to check
are passed in the environment instead:

    IMG2CAD_STEP_FILES="a.step<newline>b.step" freecadcmd tests/tools/freecad_check_step.py

(IMG2CAD_STEP_FILE_LIST may instead name a text file with one path per line.)
For each file it prints one line

    STEP_CHECK <valid|INVALID|ERROR> solids=<n> volume=<mm^3> path=<path>

then "STEP_CHECK_SUMMARY checked=<n> invalid=<m>". The exit code is non-zero when any file
is invalid or unreadable, or when no file was given.
"""

import os
import sys


def step_paths():
    paths = []
    listed = os.environ.get("IMG2CAD_STEP_FILES", "")
    paths += [line.strip() for line in listed.splitlines() if line.strip()]
    list_file = os.environ.get("IMG2CAD_STEP_FILE_LIST", "")
    if list_file:
        with open(list_file, encoding="utf-8") as handle:
            paths += [line.strip() for line in handle if line.strip()]
    return paths


def check(path):
    import Part

    shape = Part.Shape()
    shape.read(path)
    valid = shape.isValid() and not shape.isNull()
    return valid, len(shape.Solids), shape.Volume


def main():
    paths = step_paths()
    invalid = 0
    for path in paths:
        try:
            valid, solids, volume = check(path)
            status = "valid" if valid and solids > 0 else "INVALID"
            print("STEP_CHECK %s solids=%d volume=%.17g path=%s" % (status, solids, volume, path))
        except Exception as error:  # any failure of the reader counts against the file
            status = "ERROR"
            print("STEP_CHECK ERROR solids=0 volume=0 path=%s reason=%s" % (path, error))
        if status != "valid":
            invalid += 1
    print("STEP_CHECK_SUMMARY checked=%d invalid=%d" % (len(paths), invalid))
    sys.stdout.flush()
    # NOTE: freecadcmd exits with 0 when a script raises, so the code is set explicitly.
    sys.exit(1 if invalid or not paths else 0)


try:
    main()
except SystemExit:
    raise
except BaseException as error:
    print("STEP_CHECK_SUMMARY failed: %s" % error)
    sys.stdout.flush()
    sys.exit(2)
