// The race view's Plotly: the core (scatter) and the three other traces the view draws
// (contour on the map, surface and scatter3d on the 3-D view). A quarter of what loads with
// the full plotly.min.js is parsed and run, so the map shows about 0.6 s sooner.
var Plotly = require("plotly.js/lib/core");
Plotly.register([require("plotly.js/lib/contour"), require("plotly.js/lib/surface"), require("plotly.js/lib/scatter3d")]);
module.exports = Plotly;
