<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="Symbology">
  <renderer-v2 type="categorizedSymbol" attr="quality" enableorderby="0" forceraster="0" symbollevels="0" referencescale="-1">
    <categories>
      <category render="true" symbol="0" value="good" label="good"/>
      <category render="true" symbol="1" value="poor residual" label="poor residual"/>
      <category render="true" symbol="2" value="outside AP hull" label="outside AP hull"/>
      <category render="true" symbol="3" value="degenerate" label="degenerate"/>
    </categories>
    <symbols>
      <symbol name="0" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="26,150,65,220" type="QString"/>
            <Option name="name" value="circle" type="QString"/>
            <Option name="outline_color" value="35,35,35,255" type="QString"/>
            <Option name="outline_width" value="0.2" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="size" value="2.2" type="QString"/>
            <Option name="size_unit" value="MM" type="QString"/>
          </Option>
          <prop k="color" v="26,150,65,220"/>
          <prop k="name" v="circle"/>
          <prop k="outline_color" v="35,35,35,255"/>
          <prop k="outline_width" v="0.2"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="size" v="2.2"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol name="1" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="253,174,97,220" type="QString"/>
            <Option name="name" value="circle" type="QString"/>
            <Option name="outline_color" value="35,35,35,255" type="QString"/>
            <Option name="outline_width" value="0.2" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="size" value="2.2" type="QString"/>
            <Option name="size_unit" value="MM" type="QString"/>
          </Option>
          <prop k="color" v="253,174,97,220"/>
          <prop k="name" v="circle"/>
          <prop k="outline_color" v="35,35,35,255"/>
          <prop k="outline_width" v="0.2"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="size" v="2.2"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol name="2" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="215,25,28,220" type="QString"/>
            <Option name="name" value="circle" type="QString"/>
            <Option name="outline_color" value="35,35,35,255" type="QString"/>
            <Option name="outline_width" value="0.2" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="size" value="2.2" type="QString"/>
            <Option name="size_unit" value="MM" type="QString"/>
          </Option>
          <prop k="color" v="215,25,28,220"/>
          <prop k="name" v="circle"/>
          <prop k="outline_color" v="35,35,35,255"/>
          <prop k="outline_width" v="0.2"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="size" v="2.2"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol name="3" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="120,120,120,220" type="QString"/>
            <Option name="name" value="circle" type="QString"/>
            <Option name="outline_color" value="35,35,35,255" type="QString"/>
            <Option name="outline_width" value="0.2" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="size" value="2.2" type="QString"/>
            <Option name="size_unit" value="MM" type="QString"/>
          </Option>
          <prop k="color" v="120,120,120,220"/>
          <prop k="name" v="circle"/>
          <prop k="outline_color" v="35,35,35,255"/>
          <prop k="outline_width" v="0.2"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="size" v="2.2"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
</qgis>
