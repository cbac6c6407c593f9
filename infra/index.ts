// placeholder replaced by the program (issue 2)
export {};
