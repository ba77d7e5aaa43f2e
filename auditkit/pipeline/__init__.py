"""The run pipeline: notebooks and parameter files -> executed notebooks, reports, index, manifest.

    jobs        notebooks and parameter files -> validated jobs (one per district when asked)
    runs        a run end to end: execute the jobs, write the index and manifest, publish
    pool        the local pool of worker processes (hard time limit, memory, clean-up)
    cluster     the same runs sent to a dask.distributed cluster
    worker      one job in a worker process: papermill execution, then the report
    execute     papermill execution of one notebook
    render      executed notebook -> offline HTML report (exporter: nbconvert with its template)
    index       the run's index.html
    manifest    input and output hashes, versions, verification
    run_paths   the path guard: every path stays inside its run folder
    partials    unfinished runs (hidden .partial folders) and their owners
    orphans     a worker's kernels stop with their parent

The notebooks' parameter schema is `auditkit.notebook_params` (the kernel side reads it too) and
the kernel-side helpers are `auditkit.report`; nothing is imported here, so a worker process or a
kernel loads only the modules it uses.
"""
