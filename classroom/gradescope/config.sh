# The assignment: edit, then `bash classroom/gradescope/bundle.sh` and upload build/gradescope.zip.
# Chapters this assignment grades (comma-separated, as in exercises/): an absent one is 'missing'.
CHAPTERS="03_losses"
# Seconds per notebook (the course's notebooks take < 20 s; leave room for a slow learner).
TIMEOUT=300
# Only when the zip has no course/ folder: where setup.sh clones the course from.
COURSE_GIT_URL=""
COURSE_GIT_REF="main"
