/** The application as a module (java -p … -m app/app.Example); on the class path it is ignored. */
module app {
    requires dev.steady;
}
