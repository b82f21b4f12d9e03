import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { ZoneObjectAccess } from '../ingestion/lake-grants';
import type { DataLakeStorage } from '../storage/data-lake-storage';

export interface LakeLocationsProps {
  readonly storage: DataLakeStorage;
}

/**
 * Registers every zone bucket with Lake Formation, so that Athena (and any engine Lake Formation
 * integrates) reads a governed table's data with credentials Lake Formation vends after checking
 * its grants, not with the caller's own S3 access; and so that nobody can define a table over a
 * zone without a data location grant.
 *
 * The locations are registered with a role of their own rather than Lake Formation's
 * service-linked role, which would need the zone keys opened to it in their key policies and
 * would hold the same access to every location any stack ever registers. The role trusts Lake
 * Formation (and Glue, as Lake Formation requires of a registration role) and may read, list,
 * write and delete the objects of the zone buckets, with each zone's key through S3 only: what
 * Lake Formation vends, scoped down, for reads and writes of governed tables. Direct S3 access by
 * the pipeline's roles (paths, not tables) is untouched.
 */
export class LakeLocations extends Construct {
  public readonly role: iam.Role;
  public readonly locations: Readonly<Record<ZoneName, lakeformation.CfnResource>>;

  constructor(scope: Construct, id: string, props: LakeLocationsProps) {
    super(scope, id);
    const { storage } = props;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lakeformation.amazonaws.com'), new iam.ServicePrincipal('glue.amazonaws.com')),
      description: 'Lake Formation reads and writes the data lake\'s zone buckets with this role for the governed tables\' readers and writers.',
    });
    this.locations = Object.fromEntries(
      ZONE_NAMES.map((zone) => {
        const scopeOfZone = new Construct(this, zone);
        const access = new ZoneObjectAccess(scopeOfZone, 'Access', {
          bucket: storage.bucket(zone),
          key: storage.key(zone),
          role: this.role,
          access: 'read-write',
          whyAllObjects:
            `Lake Formation vends credentials of this role, scoped down to the table a granted query reads or writes, for any ` +
            `object of the registered ${zone} location; it reads, lists, writes and deletes objects of the ${zone} bucket only, ` +
            'and may not delete object versions.',
        });
        const location = new lakeformation.CfnResource(scopeOfZone, 'Location', {
          resourceArn: storage.bucket(zone).bucketArn,
          roleArn: this.role.roleArn,
          useServiceLinkedRole: false,
          // Lake Formation permissions only: hybrid access mode would let IAM alone open the location's tables again.
          hybridAccessEnabled: false,
        });
        // Lake Formation vends the role's credentials as soon as the location is registered.
        location.node.addDependency(access.policy);
        return [zone, location];
      }),
    ) as Record<ZoneName, lakeformation.CfnResource>;
  }
}
