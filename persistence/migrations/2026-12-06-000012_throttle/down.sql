DROP TABLE throttle_windows;
