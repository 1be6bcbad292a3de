"""A synthetic trial run into the store through the services staff use: candidates
screened (some fail, some decline), participants enrolled, injected and followed visit by
visit with their forms, some late, some missed, some ending early, the others completing
(``trialdesk trial simulate``). For demos and benchmarks: every person is invented."""
