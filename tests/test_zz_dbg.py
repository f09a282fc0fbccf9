from tests.test_faults import *
def test_dbg(project, start_build):
    project.report("a", "JP")
    project.report("b", "US")
    assert project.build("--jobs", "1").returncode == 0
    last_good = {path: path.read_bytes() for path in published(project.out)}
    page_a = project.quarter_dir / "a.html"
    project.notebook("market.ipynb", "import time\ntime.sleep(2)")
    build = start_build(project, "--jobs", "1")
    for i in range(60):
        time.sleep(2)
        print(i, page_a.read_bytes() != last_good[page_a], build.process.poll(), sorted(p.name for p in (project.quarter_dir/"notebooks").iterdir()), flush=True)
        if build.process.poll() is not None: break
    print(build.stderr())
